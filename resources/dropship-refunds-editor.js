// @ts-check
/**
 * The editor logic of the dropship-refunds dialog, typed and linted here; nodes/refunds/refunds.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.refunds(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.refunds = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    const OUTPUTS = ['refunds', 'exceptions'];

    function validateStorefront(value, opt) {
      const chosen = value && value !== '_ADD_' ? RED.nodes.node(value) : null;
      if (!chosen) return t('errors.storefrontMissing');
      return ['shopify', 'woocommerce'].includes(chosen.platform) || t('errors.storefrontPlatform');
    }

    function validatePolicy(value, opt) {
      return ['propose', 'automatic'].includes(value) || t('errors.policy');
    }

    function validateAutomaticUpTo(value, opt) {
      return value === '' || value === undefined || Number(value) > 0 || t('errors.automaticUpTo');
    }

    function validateSweepSeconds(value, opt) {
      const seconds = Number(value);
      return (Number.isInteger(seconds) && seconds >= 5 && seconds <= 86400) || t('errors.sweepSeconds');
    }

    /** @this {EditorNode} */
    function label() {
      return this.name || t(this.policy === 'automatic' ? 'nodeLabel.automatic' : 'nodeLabel.propose');
    }

    /** @param {number} index */
    function outputLabel(index) {
      return t('outputs.' + OUTPUTS[index]);
    }

    function prepare() {
      $('#node-input-policy')
        .on('change', function () {
          $('.dropship-refunds-automatic').toggle($(this).val() === 'automatic');
        })
        .trigger('change');
    }
    return {
      validateStorefront,
      validatePolicy,
      validateAutomaticUpTo,
      validateSweepSeconds,
      label,
      outputLabel,
      prepare,
    };
  };
})(this);
