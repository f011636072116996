// @ts-check
/**
 * The editor logic of the dropship-tracking-in dialog, typed and linted here; nodes/tracking-in/tracking-in.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.trackingIn(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.trackingIn = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    // The runtime's default path, shown as the address suppliers post to.
    const DEFAULT_PATH = '/dropship/tracking';
    // The report fields a supplier's JSON can be mapped to (core/tracking/report-mapping.ts).
    const REPORT_FIELDS = [
      'poNumber',
      'orderId',
      'trackingNumber',
      'carrier',
      'status',
      'occurredAt',
      'trackingUrl',
      'estimatedDelivery',
      'location',
      'lines',
    ];

    /** The listen box of the open dialog when it is open, else the saved property. */
    function listening(node) {
      const box = $('#node-input-listen');
      return box.length ? box.prop('checked') : node.listen !== false;
    }
    /** The SFTP or folder settings a node saved before file connections kept inline (source sftp or local). */
    function legacyConnectionOf(node) {
      if (node.source === 'sftp')
        return {
          kind: 'sftp',
          host: node.sftpHost,
          port: node.sftpPort || 22,
          username: node.sftpUser,
          hostKeySha256: node.sftpHostKey || '',
        };
      if (node.source === 'local') return { kind: 'folder', root: node.folderRoot || '.' };
      return undefined;
    }
    function sourceOf(node) {
      return DropshipEditor.dialogValue(node, 'source') || 'none';
    }
    /** A validator that applies only while one of `sources` is chosen. */
    function forSources(sources, check) {
      return function (value, opt) {
        return !sources.includes(sourceOf(this)) || check.call(this, value);
      };
    }
    /** A folder relative to the transport's root: no leading slash, no "..", no backslash. */
    const folderCheck = forSources(['files'], (value) => DropshipEditor.relativeFolder(value, t));
    const portCheck = (sources) =>
      forSources(sources, function (value) {
        if (value === undefined || String(value).trim() === '') return true; // the protocol's usual port
        return DropshipEditor.isPort(value) || t('errors.port');
      });
    const requiredFor = (sources, key) =>
      forSources(sources, (value) => Boolean(String(value || '').trim()) || t(key));

    /** The same JSON path grammar as the runtime: $.a.b[0]["c-d"], the leading $. optional. */
    function pathProblem(path) {
      let rest = String(path)
        .trim()
        .replace(/^\$\.?/, '');
      while (rest.length > 0) {
        const match =
          /^\.?([A-Za-z_$][\w$-]*)/.exec(rest) ||
          /^\[(\d+)\]/.exec(rest) ||
          /^\[\s*"((?:[^"\\]|\\.)*)"\s*\]/.exec(rest) ||
          /^\[\s*'((?:[^'\\]|\\.)*)'\s*\]/.exec(rest);
        if (!match) return rest;
        rest = rest.slice(match[0].length);
      }
      return undefined;
    }
    function mappingOf(value) {
      if (value && typeof value === 'object') return value;
      return value ? JSON.parse(value) : {};
    }
    function mappingProblems(mapping) {
      const entries = [['reports', mapping.reports]].concat(Object.entries(mapping.fields || {}));
      return entries
        .filter(([, path]) => path && pathProblem(path) !== undefined)
        .map(([field, path]) => t('errors.mappingPath', { field: t('mappingField.' + field), path }));
    }
    /** One regular expression per line, each with a capture group around the number. */
    function patternProblems(text) {
      return String(text || '')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => {
          try {
            return /** @type {RegExpExecArray} */ (new RegExp(line + '|').exec('')).length < 2
              ? t('errors.patternGroup', { pattern: line })
              : undefined;
          } catch {
            return t('errors.pattern', { pattern: line });
          }
        })
        .filter(Boolean);
    }
    const patternCheck = forSources(['imap', 'mailFolder'], function (value) {
      const problems = patternProblems(value);
      return problems.length === 0 || problems;
    });
    // "<supplier id> <sender address or @domain> <pattern>" per line; the pattern is checked like the others.
    const supplierReferenceCheck = forSources(['imap', 'mailFolder'], function (value) {
      const lines = String(value || '')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean);
      const malformed = lines.filter((line) => !/^\S+\s+\S*@\S*\s+\S/.test(line));
      if (malformed.length) return malformed.map((line) => t('errors.supplierReference', { line }));
      const problems = patternProblems(lines.map((line) => line.replace(/^\S+\s+\S+\s+/, '')).join('\n'));
      return problems.length === 0 || problems;
    });

    /** @this {EditorNode} */
    function prepare() {
      DropshipEditor.selectDefaults(this._def.defaults);
      const node = this;
      const root = RED.settings.httpNodeRoot.replace(/\/$/, '');
      function showAddress() {
        $('#dropship-tracking-in-address').text(
          location.protocol + '//' + location.host + root + ($('#node-input-path').val() || DEFAULT_PATH),
        );
      }
      $('#node-input-path').on('change keyup', showAddress);
      // A flow saved without "listen" listens (the runtime reads anything but false as true).
      if (this.listen === undefined) $('#node-input-listen').prop('checked', true);
      $('#node-input-listen')
        .on('change', function () {
          const on = $(this).prop('checked');
          $('.dropship-tracking-in-listening').toggle(on);
          $('.dropship-tracking-in-not-listening').toggle(!on);
        })
        .trigger('change');
      showAddress();
      DropshipEditor.senderAuth.prepare();

      // The field mapping: one JSON path per report field; empty means the field's own name.
      const mapping = mappingOf(node.mapping);
      const table = $('#dropship-tracking-in-mapping');
      const rows = [['reports', mapping.reports]].concat(
        REPORT_FIELDS.map((field) => [field, (mapping.fields || {})[field]]),
      );
      rows.forEach(([field, path]) => {
        const row = $(
          '<div style="display: flex; gap: 6px; align-items: center; margin-bottom: 4px;"></div>',
        ).appendTo(table);
        $('<label style="width: 40%; margin: 0;"></label>')
          .attr('for', 'dropship-tracking-in-map-' + field)
          .text(t('mappingField.' + field))
          .appendTo(row);
        $('<input type="text" style="flex: 1; font-family: monospace;">')
          .attr({
            id: 'dropship-tracking-in-map-' + field,
            'data-field': field,
            placeholder: field === 'reports' ? t('placeholder.reports') : field,
          })
          .val(path || '')
          .appendTo(row);
      });
      function readMapping() {
        /** @type {{ reports?: string, fields?: Record<string, string> }} */
        const read = { fields: {} };
        table.find('input').each(function () {
          const field = $(this).attr('data-field');
          const path = String($(this).val() || '').trim();
          if (!path) return;
          if (field === 'reports') read.reports = path;
          else if (read.fields && field) read.fields[field] = path;
        });
        if (Object.keys(read.fields || {}).length === 0) delete read.fields;
        return read;
      }
      function checkMapping() {
        const problems = mappingProblems(readMapping());
        $('#dropship-tracking-in-mapping-problem')
          .text(problems.join(' '))
          .toggle(problems.length > 0);
      }
      table.on('change keyup', checkMapping);
      checkMapping();
      node.readMapping = readMapping;

      if (!node.source) $('#node-input-source').val('none');
      if (legacyConnectionOf(node)) {
        $('#node-input-source').val('files');
        $('#dropship-tracking-in-legacy-connection').show();
      }
      $('#node-input-source')
        .on('change', function () {
          const source = $(this).val();
          $('.dropship-tracking-in-source').each(function () {
            $(this).toggle(String($(this).attr('data-sources')).split(',').includes(String(source)));
          });
        })
        .trigger('change');
      // Flows saved before TLS was a choice used it.
      if (node.imapTls === undefined) $('#node-input-imapTls').prop('checked', true);
    }
    /** @this {EditorNode} */
    function save() {
      this.mapping = this.readMapping();
      delete this.readMapping;
      const legacy = legacyConnectionOf(this);
      if ($('#node-input-source').val() === 'files')
        DropshipEditor.fileConnection.adoptUnlessChosen(this, legacy, $('#node-input-connection'));
      for (const property of ['sftpHost', 'sftpPort', 'sftpUser', 'sftpHostKey', 'folderRoot'])
        this[property] = '';
      this.version = 2;
    }
    /** @this {EditorNode} */
    function cancel() {
      delete this.readMapping;
    }
    /** @this {EditorNode} */
    function validatePath(value, opt) {
      if (!listening(this)) return true;
      return DropshipEditor.endpointPath(this, value, DEFAULT_PATH, (n) => n.path || DEFAULT_PATH, t);
    }

    function validateMapping(value, opt) {
      const problems = mappingProblems(mappingOf(value));
      return problems.length === 0 || problems;
    }

    function validatePollSeconds(value, opt) {
      if (value === undefined || String(value).trim() === '') return true; // the runtime's 60 seconds
      const n = Number(value);
      return (Number.isFinite(n) && n >= 1 && n <= 86400) || t('errors.pollSeconds');
    }

    function validateLabelHours(value, opt) {
      if (value === undefined || String(value).trim() === '') return true; // not checked
      const n = Number(value);
      return (Number.isFinite(n) && n >= 0 && n <= 720) || t('errors.labelHours');
    }

    /** @this {EditorNode} */
    function label() {
      return this.name || t('paletteLabel');
    }

    /** @param {number} index */
    function outputLabel(index) {
      return t(['outputs.event', 'outputs.exceptions', 'outputs.label'][index]);
    }

    return {
      validatePath,
      validateMapping,
      validatePollSeconds,
      validateLabelHours,
      label,
      outputLabel,
      DEFAULT_PATH,
      listening,
      forSources,
      folderCheck,
      portCheck,
      requiredFor,
      mappingOf,
      mappingProblems,
      patternCheck,
      supplierReferenceCheck,
      prepare,
      save,
      cancel,
    };
  };
})(this);
