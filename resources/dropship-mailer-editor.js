// @ts-check
/**
 * The editor logic of the dropship-mailer dialog, typed and linted here; nodes/mailer/mailer.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.mailer(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.mailer = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    // "orders@shop.example" or "My Shop <orders@shop.example>": what a mail server accepts as a sender.
    const ADDRESS = /^(?:[^<>]*<\s*[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;

    /** @this {EditorNode} */
    function prepare() {
      const node = this;
      DropshipEditor.connectionTest(
        t,
        $('#dropship-mailer-test'),
        $('#dropship-mailer-test-result'),
        'dropship/mailers/test',
        () => ({
          id: node.id,
          host: $('#node-config-input-host').val(),
          port: $('#node-config-input-port').val(),
          secure: $('#node-config-input-secure').prop('checked'),
          credentials: {
            user: $('#node-config-input-user').val(),
            password: $('#node-config-input-password').val(),
          },
        }),
      );
      // Port 465 speaks TLS from the first byte; other ports upgrade with STARTTLS.
      $('#node-config-input-port').on('change', function () {
        const port = Number($(this).val());
        if (port === 465) $('#node-config-input-secure').prop('checked', true);
        if (port === 587 || port === 25) $('#node-config-input-secure').prop('checked', false);
      });
    }
    return { ADDRESS, prepare };
  };
})(this);
