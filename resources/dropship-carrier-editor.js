// @ts-check
/**
 * The editor logic of the dropship-carrier dialog, typed and linted here; nodes/carrier/carrier.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.carrier(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.carrier = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    // The carrier's settings schema, shown as a form and checked (resources/dropship-editor.js).
    const schemaForm = DropshipEditor.settingsForm(t);

    // The connector kinds (resources/dropship-editor.js, connectorCatalogue).
    const catalogue = DropshipEditor.connectorCatalogue('dropship/carriers', 'dropship-carrier');

    /** @this {EditorNode} */
    function prepare() {
      const node = this;
      const select = $('#node-config-input-carrier');
      DropshipEditor.connectionTest(
        t,
        $('#dropship-carrier-test'),
        $('#dropship-carrier-test-result'),
        'dropship/carriers/test',
        () => ({
          id: node.id,
          carrier: select.val(),
          settings: node.settingsForm ? node.settingsForm.read() : {},
          credentials: node.credentialInputs ? node.credentialInputs.values() : {},
        }),
      );
      const container = $('#dropship-carrier-settings');
      function showCarrier(kind) {
        const carrier = catalogue.kind(kind);
        $('#dropship-carrier-description').text(carrier ? carrier.description : '');
        node.settingsForm = carrier
          ? schemaForm.create(
              container,
              carrier.settingsSchema,
              kind === node.carrier ? node.settings : {},
              carrier.settingConditions,
            )
          : null;
        // The carrier's own secrets, in its own wording, e.g. "Consumer key (client ID)".
        const shown = node.credentialInputs.show(carrier, node.settingsForm ? node.settingsForm.read() : {});
        $('.dropship-carrier-credentials-heading').toggle(shown > 0);
      }
      $('<div class="form-tips"></div>').text(t('tip.loading')).appendTo(container);
      catalogue.load().then(
        function (list) {
          node.credentialInputs = DropshipEditor.credentialInputs(
            $('#dropship-carrier-credentials'),
            node,
            list,
          );
          select.empty();
          list.forEach((c) => $('<option></option>').val(c.kind).text(c.title).appendTo(select));
          select.val(node.carrier || list[0].kind);
          select.on('change', () => showCarrier(select.val())).trigger('change');
        },
        function (xhr) {
          container.empty();
          $('<div class="form-tips"></div>')
            .text(t('errors.carrierList', { status: xhr.status }))
            .appendTo(container);
          if (node.carrier)
            $('<option></option>').val(node.carrier).text(node.carrier).appendTo(select.empty());
        },
      );
    }
    /** @this {EditorNode} */
    function save() {
      const form = this.settingsForm;
      const credentials = this.credentialInputs;
      delete this.settingsForm;
      delete this.credentialInputs;
      // Without the carrier's schema the form was not shown: the saved settings stay as they were.
      if (form) this.settings = form.read();
      // Secrets this carrier does not use are removed rather than kept out of sight.
      if (credentials && form) credentials.clearHidden();
    }
    /** @this {EditorNode} */
    function cancel() {
      delete this.settingsForm;
      delete this.credentialInputs;
    }
    return { schemaForm, catalogue, prepare, save, cancel };
  };
})(this);
