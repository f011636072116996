// @ts-check
/**
 * The editor logic of the dropship-store dialog, typed and linted here; nodes/store/store.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.store(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  global.DropshipEditor.store = function () {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

    /** The engine chosen in the open dialog, else the saved one: validators run in and outside the dialog. */
    function engineOf(node) {
      return $('#node-config-input-engine').val() || node.engine || 'sqlite';
    }

    /** host/database of a connection string, never its user or password (labels are shown everywhere). */
    function postgresTarget(connectionString) {
      try {
        const url = new URL(connectionString);
        return url.host + url.pathname;
      } catch {
        return '';
      }
    }

    /** @this {EditorNode} */
    function prepare() {
      $('#node-config-input-engine')
        .on('change', function () {
          const engine = $(this).val();
          $('.dropship-store-engine').each(function () {
            $(this).toggle($(this).attr('data-engine') === engine);
          });
        })
        .trigger('change');
    }
    return { SCHEMA_NAME, engineOf, postgresTarget, prepare };
  };
})(this);
