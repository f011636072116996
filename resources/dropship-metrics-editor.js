// @ts-check
/**
 * The editor logic of the dropship-metrics dialog, typed and linted here; nodes/metrics/metrics.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.metrics(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  global.DropshipEditor.metrics = function () {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    const OUTPUTS = ['metrics', 'alerts'];
    /** @this {EditorNode} */
    function prepare() {
      DropshipEditor.selectDefaults(this._def.defaults);
    }
    return { OUTPUTS, prepare };
  };
})(this);
