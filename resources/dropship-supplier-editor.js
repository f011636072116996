// @ts-check
/**
 * The editor logic of the dropship-supplier dialog, typed and linted here; nodes/supplier/supplier.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.supplier(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.supplier = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    const SUPPLIER_ID = /^[a-z0-9][a-z0-9-]*$/;
    // The connector's settings schema, shown as a form and checked (resources/dropship-editor.js).
    const schemaForm = DropshipEditor.settingsForm(t);

    function settingsOf(value) {
      return (typeof value === 'string' && value ? JSON.parse(value) : value) || {};
    }
    /** The transport a supplier saved before file connections kept in its settings, as a file connection's settings. */
    function legacyConnectionOf(node) {
      const transport = settingsOf(node.settings).transport;
      if (!transport || typeof transport !== 'object') return undefined;
      if (transport.type === 'local') return { kind: 'folder', root: transport.root };
      return {
        kind: 'sftp',
        host: transport.host,
        port: transport.port || 22,
        username: transport.username,
        hostKeySha256: transport.hostKeySha256 || '',
        root: transport.baseDir || '',
      };
    }
    // The connector kinds (resources/dropship-editor.js, connectorCatalogue).
    const catalogue = DropshipEditor.connectorCatalogue('dropship/connectors', 'dropship-supplier');

    /** @this {EditorNode} */
    function prepare() {
      const node = this;
      const select = $('#node-config-input-connector');
      DropshipEditor.connectionTest(
        t,
        $('#dropship-supplier-test'),
        $('#dropship-supplier-test-result'),
        'dropship/connectors/test',
        () => ({
          id: node.id,
          connector: select.val(),
          supplierId: $('#node-config-input-supplierId').val(),
          settings: node.settingsForm ? node.settingsForm.read() : {},
          connection: $('#node-config-input-connection').val(),
          credentials: node.credentialInputs ? node.credentialInputs.values() : {},
        }),
      );
      const container = $('#dropship-supplier-settings');
      const description = $('#dropship-supplier-connector-description');
      // Values typed for each connector in this dialog, so switching back and forth loses nothing.
      const draftByKind = {};
      let shownKind = null;

      /** The chosen connection's secrets for the authentication chosen in its settings, nothing else. */
      function showCredentials(connector) {
        const shown = node.credentialInputs
          ? node.credentialInputs.show(connector, node.settingsForm ? node.settingsForm.read() : {})
          : 0;
        $('.dropship-supplier-credentials-heading').toggle(shown > 0);
      }

      function showConnector(kind) {
        if (shownKind && node.settingsForm) draftByKind[shownKind] = node.settingsForm.read();
        shownKind = kind;
        container.off().empty();
        node.settingsForm = null;
        const connector = catalogue.kind(kind);
        description.text(connector ? connector.description || '' : '');
        showCredentials(connector);
        if (!connector) {
          $('.dropship-supplier-file-connection').hide();
          if (kind)
            $('<div class="form-tips"></div>')
              .text(t('errors.connectorUnknown', { kind }))
              .appendTo(container);
          return;
        }
        $('.dropship-supplier-file-connection').toggle(Boolean(connector.fileConnection));
        $('#dropship-supplier-legacy-connection').toggle(
          Boolean(connector.fileConnection && legacyConnectionOf(node)),
        );
        const saved = kind === node.connector ? node.settings : {};
        node.settingsForm = schemaForm.create(
          container,
          connector.settingsSchema,
          draftByKind[kind] || saved,
          connector.settingConditions,
        );
        // Choosing another authentication shows its secrets (after the form has applied its own conditions).
        container.on('change.dropshipCredentials keyup.dropshipCredentials', () =>
          showCredentials(connector),
        );
        showCredentials(connector);
      }

      showCredentials(null);
      $('<div class="form-tips"></div>').text(t('tip.loading')).appendTo(container);
      catalogue.load().then(
        function (list) {
          node.credentialInputs = DropshipEditor.credentialInputs(
            $('#dropship-supplier-credentials'),
            node,
            list,
          );
          select.empty();
          list.forEach((c) =>
            $('<option></option>')
              .val(c.kind)
              .text(c.title || c.kind)
              .appendTo(select),
          );
          if (node.connector && !catalogue.kind(node.connector)) {
            $('<option></option>').val(node.connector).text(node.connector).appendTo(select);
          }
          select.val(node.connector || (list[0] && list[0].kind) || '');
          // The change event also makes Node-RED check the connector property again.
          select.on('change', () => showConnector(select.val())).trigger('change');
        },
        function (xhr) {
          container.empty();
          $('<div class="form-tips"></div>')
            .text(t('errors.connectorList', { status: xhr.status + ' ' + (xhr.statusText || '') }))
            .appendTo(container);
          if (node.connector)
            $('<option></option>').val(node.connector).text(node.connector).appendTo(select.empty());
        },
      );
    }
    /** @this {EditorNode} */
    function save() {
      const connector = catalogue.kind($('#node-config-input-connector').val());
      const form = this.settingsForm;
      const credentials = this.credentialInputs;
      delete this.settingsForm;
      delete this.credentialInputs;
      // Without the connector's schema the form was not shown: the saved settings stay as they were.
      if (!connector || !form) return;
      const legacy = connector.fileConnection ? legacyConnectionOf(this) : undefined;
      DropshipEditor.fileConnection.adoptUnlessChosen(this, legacy, $('#node-config-input-connection'));
      this.settings = form.read();
      this.version = 2;
      // Secrets the chosen connector and authentication do not use are removed rather than kept out of sight,
      // except the SFTP secrets a new file connection takes over with this deploy.
      if (credentials && !legacy) credentials.clearHidden();
    }
    /** @this {EditorNode} */
    function cancel() {
      delete this.settingsForm;
      delete this.credentialInputs;
    }
    return { SUPPLIER_ID, schemaForm, settingsOf, legacyConnectionOf, catalogue, prepare, save, cancel };
  };
})(this);
