// @ts-check
/**
 * The editor logic of the dropship-notify dialog, typed and linted here; nodes/notify/notify.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.notify(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.notify = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    // The milestones the runtime knows (core/notify/milestones.ts), in the order an order meets them.
    const MILESTONES = [
      'confirmed',
      'split_shipment',
      'backordered',
      'shipped',
      'out_for_delivery',
      'delayed',
      'delivered',
      'cancelled',
    ];
    const CHANNELS = ['email', 'sms', 'storefront'];
    const PARTS = ['subject', 'text', 'html'];
    // What the runtime does when a flow does not say.
    const DEFAULT_CHANNELS = ['email'];
    const DEFAULT_MILESTONES = ['confirmed', 'shipped', 'delivered'];
    const DEFAULT_SMS_MILESTONES = ['shipped', 'out_for_delivery', 'delayed'];
    const DEFAULT_PAGE_PATH = '/dropship/track';

    /** The built-in wording from the runtime, fetched once per editor session: {defaults, smsDefaults}. */
    let builtInRequest = null;
    function loadBuiltIn() {
      if (!builtInRequest) {
        builtInRequest = $.getJSON('dropship/notify/templates').then(
          (answer) => answer,
          function (xhr) {
            builtInRequest = null;
            return $.Deferred().reject(xhr);
          },
        );
      }
      return builtInRequest;
    }

    function sameTemplate(a, b) {
      return PARTS.every((part) => (a && a[part]) === (b && b[part]));
    }

    /** Why a saved template cannot be used; undefined when it can. */
    function templateProblem(kind, template) {
      const empty = PARTS.filter(
        (part) => typeof template[part] !== 'string' || template[part].trim() === '',
      );
      if (empty.length === 0) return undefined;
      return t('errors.templateIncomplete', {
        milestone: t('milestone.' + kind),
        parts: empty.map((part) => t('label.' + part)).join(', '),
      });
    }

    function listOf(value, fallback) {
      if (value === undefined) return fallback;
      return Array.isArray(value)
        ? value
        : String(value)
            .split(',')
            .map((m) => m.trim())
            .filter(Boolean);
    }

    function objectOf(value) {
      if (value && typeof value === 'object') return value;
      return value ? JSON.parse(value) : {};
    }

    /** The channel boxes of the open dialog when it is open, else the saved property. */
    function channelsOf(node) {
      const boxes = $('#dropship-notify-channels input');
      if (boxes.length)
        return boxes
          .filter(':checked')
          .map(function () {
            return $(this).val();
          })
          .get();
      return listOf(node.channels, DEFAULT_CHANNELS);
    }

    /** A validator that applies only while `channel` is ticked. */
    function forChannel(channel, check) {
      return function (value, opt) {
        return !channelsOf(this).includes(channel) || check.call(this, value, opt);
      };
    }

    function milestoneCheck(fallback) {
      return function (value) {
        const chosen = listOf(value, fallback);
        if (chosen.length === 0) return t('errors.noMilestone');
        const unknown = chosen.filter((m) => !MILESTONES.includes(m));
        return unknown.length === 0 || t('errors.unknownMilestone', { milestones: unknown.join(', ') });
      };
    }

    const webAddress = (key) =>
      function (value, opt) {
        // A whole-value ${NAME} is an environment variable Node-RED substitutes when the flow starts.
        return (
          !value ||
          /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value) ||
          /^https?:\/\/[^\s/]+(\/\S*)?$/.test(value) ||
          t(key)
        );
      };
    const colour = function (value, opt) {
      return !value || /^#[0-9a-fA-F]{6}$/.test(value) || t('errors.colour');
    };
    const pageOn = (node) => DropshipEditor.dialogValue(node, 'trackingPage') === true;

    /**
     * Why the tracking page could not be served with the link secret: missing or under 16 characters; undefined
     * when it is fine or unknown (a secret saved earlier is not sent back to the editor, only that it exists).
     */
    function linkSecretProblem(node) {
      const field = $('#node-input-linkSecret');
      const credentials = node.credentials;
      let secret;
      if (field.length) secret = field.val();
      else if (credentials && typeof credentials.linkSecret === 'string') secret = credentials.linkSecret;
      else return credentials && !credentials.has_linkSecret ? t('errors.linkSecretMissing') : undefined;
      if (secret === '__PWRD__') return undefined;
      if (!secret) return t('errors.linkSecretMissing');
      return secret.length < 16 ? t('errors.linkSecretShort', { length: secret.length }) : undefined;
    }

    /** A column of milestone checkboxes, each with when it happens. */
    function milestoneBoxes(list, prefix, chosen) {
      MILESTONES.forEach(function (kind) {
        const row = $(
          '<div style="display: flex; align-items: flex-start; gap: 6px; margin-bottom: 4px;"></div>',
        ).appendTo(list);
        const box = $('<input type="checkbox" style="width: auto; margin: 3px 0 0 0; flex: none;">')
          .attr('id', prefix + kind)
          .val(kind)
          .prop('checked', chosen.includes(kind))
          .appendTo(row);
        $('<label style="width: auto; margin: 0;"></label>')
          .attr('for', String(box.attr('id')))
          .append($('<b></b>').text(t('milestone.' + kind)))
          .append($('<br>'))
          .append($('<small></small>').text(t('milestoneWhen.' + kind)))
          .appendTo(row);
      });
    }

    /** @this {EditorNode} */
    function prepare() {
      const node = this;

      // Channels, and the section of each.
      const channelList = $('#dropship-notify-channels');
      const chosenChannels = listOf(node.channels, DEFAULT_CHANNELS);
      CHANNELS.forEach(function (channel) {
        const row = $(
          '<div style="display: flex; align-items: flex-start; gap: 6px; margin-bottom: 4px;"></div>',
        ).appendTo(channelList);
        const box = $('<input type="checkbox" style="width: auto; margin: 3px 0 0 0; flex: none;">')
          .attr('id', 'dropship-notify-channel-' + channel)
          .val(channel)
          .prop('checked', chosenChannels.includes(channel))
          .appendTo(row);
        $('<label style="width: auto; margin: 0;"></label>')
          .attr('for', String(box.attr('id')))
          .append($('<b></b>').text(t('channel.' + channel)))
          .append($('<br>'))
          .append($('<small></small>').text(t('channelWhat.' + channel)))
          .appendTo(row);
      });
      function showChannels() {
        const chosen = channelsOf(node);
        $('.dropship-notify-channel').each(function () {
          $(this).toggle(chosen.includes($(this).attr('data-channel')));
        });
        const none = chosen.length === 0;
        $('#dropship-notify-channels-problem')
          .text(none ? t('errors.noChannel') : '')
          .toggle(none);
        // The change makes Node-RED check the mailer and storefront again.
        $('#node-input-mailer, #node-input-storefront, #node-input-smsFrom').trigger('change');
      }
      channelList.find('input').on('change', showChannels);

      milestoneBoxes(
        $('#dropship-notify-milestones'),
        'dropship-notify-milestone-',
        listOf(node.milestones, DEFAULT_MILESTONES),
      );
      milestoneBoxes(
        $('#dropship-notify-sms-milestones'),
        'dropship-notify-sms-milestone-',
        listOf(node.smsMilestones, DEFAULT_SMS_MILESTONES),
      );
      function checkMilestones(list, problemLine) {
        const none = list.find('input:checked').length === 0;
        problemLine.text(none ? t('errors.noMilestone') : '').toggle(none);
      }
      [
        ['#dropship-notify-milestones', '#dropship-notify-milestones-problem'],
        ['#dropship-notify-sms-milestones', '#dropship-notify-sms-milestones-problem'],
      ].forEach(function ([list, problem]) {
        $(list)
          .find('input')
          .on('change', () => checkMilestones($(list), $(problem)));
        checkMilestones($(list), $(problem));
      });
      showChannels();

      // The tracking page section, and the address links in messages point to.
      function showPage() {
        const on = $('#node-input-trackingPage').prop('checked');
        $('.dropship-notify-page').toggle(on);
        const base = String($('#node-input-publicUrl').val() || '').replace(/\/+$/, '');
        $('#dropship-notify-page-address').text(
          (base || t('placeholder.publicUrl')) +
            ($('#node-input-trackingPagePath').val() || DEFAULT_PAGE_PATH) +
            '/…',
        );
        const problem = on ? linkSecretProblem(node) : undefined;
        $('#node-input-linkSecret').toggleClass('input-error', Boolean(problem));
        $('#dropship-notify-link-secret-problem')
          .text(problem || '')
          .toggle(Boolean(problem));
      }
      $(
        '#node-input-trackingPage, #node-input-publicUrl, #node-input-trackingPagePath, #node-input-linkSecret',
      ).on('change keyup input', showPage);
      showPage();

      // The wording per milestone while the dialog is open: saved custom wording, else the built-in one.
      const drafts = $.extend(true, {}, objectOf(node.templates));
      const smsDrafts = $.extend({}, objectOf(node.smsTemplates));
      let builtIn = null;
      let shown = null;
      // True while show() fills the fields, whose change events must not be read as the operator's edits.
      let filling = false;

      const select = $('#dropship-notify-template-milestone');
      MILESTONES.forEach((kind) =>
        $('<option></option>')
          .val(kind)
          .text(t('milestone.' + kind))
          .appendTo(select),
      );

      const subject = $('#dropship-notify-template-subject');
      const sms = $('#dropship-notify-template-sms');
      const editorOptions = { value: '', minimap: { enabled: false }, wordWrap: 'on' };
      this.textEditor = RED.editor.createEditor({
        ...editorOptions,
        id: 'dropship-notify-template-text',
        mode: 'ace/mode/text',
      });
      this.htmlEditor = RED.editor.createEditor({
        ...editorOptions,
        id: 'dropship-notify-template-html',
        mode: 'ace/mode/html',
      });
      const textEditor = this.textEditor;
      const htmlEditor = this.htmlEditor;

      function readShown() {
        return { subject: subject.val(), text: textEditor.getValue(), html: htmlEditor.getValue() };
      }
      function customised(kind) {
        const email = drafts[kind] && !(builtIn && sameTemplate(drafts[kind], builtIn.defaults[kind]));
        const text =
          smsDrafts[kind] !== undefined && !(builtIn && smsDrafts[kind] === builtIn.smsDefaults[kind]);
        return Boolean(email || text);
      }
      function showState(kind) {
        const custom = customised(kind);
        $('#dropship-notify-template-state').text(t(custom ? 'tip.customWording' : 'tip.builtInWording'));
        $('#dropship-notify-reset').prop('disabled', !custom || !builtIn);
        const problem =
          (drafts[kind] && templateProblem(kind, drafts[kind])) ||
          (smsDrafts[kind] !== undefined && smsDrafts[kind].trim() === ''
            ? t('errors.smsEmpty', { milestone: t('milestone.' + kind) })
            : undefined);
        $('#dropship-notify-template-problem')
          .text(problem || '')
          .toggle(Boolean(problem));
      }
      function keepShown() {
        if (!shown || filling) return;
        const template = readShown();
        const untouched = PARTS.every((part) => template[part] === '');
        // Empty fields mean "the built-in wording", as does wording identical to it.
        if (untouched || (builtIn && sameTemplate(template, builtIn.defaults[shown]))) delete drafts[shown];
        else drafts[shown] = template;
        const text = String(sms.val() || '');
        if (text === '' || (builtIn && text === builtIn.smsDefaults[shown])) delete smsDrafts[shown];
        else smsDrafts[shown] = text;
      }
      function show(kind) {
        keepShown();
        shown = kind;
        const template = drafts[kind] ||
          (builtIn && builtIn.defaults[kind]) || { subject: '', text: '', html: '' };
        filling = true;
        subject.val(template.subject);
        textEditor.setValue(template.text, -1);
        htmlEditor.setValue(template.html, -1);
        sms.val(
          smsDrafts[kind] !== undefined ? smsDrafts[kind] : (builtIn && builtIn.smsDefaults[kind]) || '',
        );
        filling = false;
        $('#dropship-notify-preview-pane').hide();
        showState(kind);
      }
      select.on('change', () => show(select.val()));
      function edited() {
        if (filling) return;
        keepShown();
        showState(shown);
      }
      subject.on('keyup change', edited);
      sms.on('keyup change', edited);
      textEditor.getSession().on('change', edited);
      htmlEditor.getSession().on('change', edited);

      $('#dropship-notify-reset').on('click', function () {
        delete drafts[shown];
        delete smsDrafts[shown];
        const kind = shown;
        shown = null;
        show(kind);
      });

      $('#dropship-notify-preview').on('click', function () {
        const problemLine = $('#dropship-notify-template-problem').hide();
        $.ajax({
          url: 'dropship/notify/preview',
          method: 'POST',
          contentType: 'application/json',
          data: JSON.stringify({
            template: readShown(),
            sms: sms.val(),
            storeName: $('#node-input-storeName').val(),
          }),
        }).then(
          function (preview) {
            $('#dropship-notify-preview-subject').text(preview.subject);
            $('#dropship-notify-preview-html').attr('srcdoc', preview.html);
            $('#dropship-notify-preview-text').text(preview.text);
            $('#dropship-notify-preview-sms').text(preview.sms ? preview.sms.text : '');
            $('#dropship-notify-preview-sms-size').text(
              preview.sms
                ? t('tip.smsSize', { characters: preview.sms.characters, segments: preview.sms.segments })
                : '',
            );
            $('#dropship-notify-preview-pane').show();
          },
          function (xhr) {
            const error = xhr.responseJSON && xhr.responseJSON.error;
            const reasons =
              error && error.details && error.details.length
                ? error.details.map((d) => t('label.' + d.path) + ': ' + d.message).join('; ')
                : t('errors.previewUnavailable', { status: xhr.status });
            problemLine.text(reasons).show();
            $('#dropship-notify-preview-pane').hide();
          },
        );
      });

      // The first ticked milestone is shown; the built-in wording fills what has no own wording.
      select.val(listOf(node.milestones, DEFAULT_MILESTONES)[0] || MILESTONES[0]);
      show(select.val());
      loadBuiltIn().then(
        function (answer) {
          keepShown();
          builtIn = answer;
          const kind = shown;
          shown = null;
          show(kind);
        },
        function (xhr) {
          $('#dropship-notify-template-problem')
            .text(t('errors.builtInUnavailable', { status: xhr.status }))
            .show();
        },
      );
      this.keepShownTemplate = keepShown;
      this.templateDrafts = drafts;
      this.smsDrafts = smsDrafts;
    }
    /** @this {EditorNode} */
    function save() {
      this.keepShownTemplate();
      const ticked = (list) =>
        $(list)
          .find('input:checked')
          .map(function () {
            return $(this).val();
          })
          .get();
      this.channels = ticked('#dropship-notify-channels');
      this.milestones = ticked('#dropship-notify-milestones');
      this.smsMilestones = ticked('#dropship-notify-sms-milestones');
      this.templates = this.templateDrafts;
      this.smsTemplates = this.smsDrafts;
      this.textEditor.destroy();
      this.htmlEditor.destroy();
      ['textEditor', 'htmlEditor', 'keepShownTemplate', 'templateDrafts', 'smsDrafts'].forEach(
        (key) => delete this[key],
      );
    }
    /** @this {EditorNode} */
    function cancel() {
      this.textEditor.destroy();
      this.htmlEditor.destroy();
      ['textEditor', 'htmlEditor', 'keepShownTemplate', 'templateDrafts', 'smsDrafts'].forEach(
        (key) => delete this[key],
      );
    }
    function validateChannels(value, opt) {
      const chosen = listOf(value, DEFAULT_CHANNELS);
      if (chosen.length === 0) return t('errors.noChannel');
      return (
        chosen.every((c) => CHANNELS.includes(c)) ||
        t('errors.unknownChannel', { channels: chosen.join(', ') })
      );
    }

    function validateTemplates(value, opt) {
      const templates = objectOf(value);
      const problems = Object.keys(templates)
        .map((kind) =>
          MILESTONES.includes(kind)
            ? templateProblem(kind, templates[kind] || {})
            : t('errors.unknownMilestone', { milestones: kind }),
        )
        .filter((problem) => problem !== undefined);
      return problems.length === 0 || problems;
    }

    function validateSmsTemplates(value, opt) {
      const templates = objectOf(value);
      const problems = Object.keys(templates)
        .map((kind) => {
          if (!MILESTONES.includes(kind)) return t('errors.unknownMilestone', { milestones: kind });
          return typeof templates[kind] === 'string' && templates[kind].trim() !== ''
            ? undefined
            : t('errors.smsEmpty', { milestone: t('milestone.' + kind) });
        })
        .filter((problem) => problem !== undefined);
      return problems.length === 0 || problems;
    }

    function validateSweepSeconds(value, opt) {
      if (value === undefined || String(value).trim() === '') return true; // the runtime's 30 seconds
      const n = Number(value);
      return (Number.isInteger(n) && n >= 1 && n <= 3600) || t('errors.sweepSeconds');
    }

    /** @this {EditorNode} */
    // Two parameters, so that Node-RED shows the sentence returned.
    // eslint-disable-next-line no-unused-vars
    function validateTrackingPage(value, opt) {
      return !pageOn(this) || linkSecretProblem(this) || true;
    }

    /** @this {EditorNode} */
    function validateTrackingPagePath(value, opt) {
      if (!pageOn(this)) return true;
      return DropshipEditor.endpointPath(
        this,
        value,
        DEFAULT_PAGE_PATH,
        (n) => (n.trackingPage ? n.trackingPagePath || DEFAULT_PAGE_PATH : undefined),
        t,
      );
    }

    function validateLogoUrl(value, opt) {
      return !value || /^https:\/\/\S+$/.test(value) || t('errors.logoUrl');
    }

    function validateSupportEmail(value, opt) {
      return !value || /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value) || t('errors.supportEmail');
    }

    function validateSmsFrom(value) {
      return (
        /^\+[1-9]\d{6,14}$/.test(value || '') ||
        /^MG[0-9a-fA-F]{32}$/.test(value || '') ||
        /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(value || '') ||
        t('errors.smsFrom')
      );
    }

    function validateStorefront(value, opt) {
      const chosen = value && value !== '_ADD_' ? RED.nodes.node(value) : null;
      if (!chosen) return t('errors.storefrontMissing');
      if (chosen.platform !== 'shopify' && chosen.platform !== 'woocommerce')
        return t('errors.storefrontPlatform');
      return chosen.valid !== false || t('errors.storefrontInvalid');
    }

    /** @this {EditorNode} */
    function label() {
      return this.name || t('nodeLabel');
    }

    /** @param {number} index */
    function outputLabel(index) {
      return t(index === 0 ? 'outputs.sent' : 'outputs.notSent');
    }

    return {
      validateChannels,
      validateTemplates,
      validateSmsTemplates,
      validateSweepSeconds,
      validateTrackingPage,
      validateTrackingPagePath,
      validateLogoUrl,
      validateSupportEmail,
      validateSmsFrom,
      validateStorefront,
      label,
      outputLabel,
      MILESTONES,
      CHANNELS,
      DEFAULT_CHANNELS,
      DEFAULT_MILESTONES,
      DEFAULT_SMS_MILESTONES,
      DEFAULT_PAGE_PATH,
      templateProblem,
      listOf,
      objectOf,
      forChannel,
      milestoneCheck,
      webAddress,
      colour,
      pageOn,
      linkSecretProblem,
      prepare,
      save,
      cancel,
    };
  };
})(this);
