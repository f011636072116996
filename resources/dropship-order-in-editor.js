// @ts-check
/**
 * The editor logic of the dropship-order-in dialog, typed and linted here; nodes/order-in/order-in.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.orderIn(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.orderIn = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    // Kept equal to the runtime's defaults: the address the storefront is told to call.
    const DEFAULT_PATHS = {
      shopify: '/dropship/shopify/orders',
      woocommerce: '/dropship/woocommerce/orders',
      generic: '/dropship/orders',
    };

    function effectivePath(node) {
      return node.path || DEFAULT_PATHS[node.platform || 'generic'];
    }

    /** @this {EditorNode} */
    function validateStorefront(value, opt) {
      const platform = DropshipEditor.dialogValue(this, 'platform') || 'generic';
      const storefront = value && value !== '_ADD_' ? RED.nodes.node(value) : null;
      if (!storefront) {
        if (platform !== 'generic')
          return t('errors.storefrontMissing', { platform: t('platform.' + platform) });
        const open =
          !DropshipEditor.senderAuth.listening(this) || DropshipEditor.senderAuth.scheme(this) === 'none';
        return open || t('errors.storefrontForSender');
      }
      if (storefront.platform !== platform) {
        return t('errors.storefrontPlatform', { platform: t('platform.' + storefront.platform) });
      }
      return storefront.valid !== false || t('errors.storefrontInvalid');
    }

    /** @this {EditorNode} */
    function validateReconcileMinutes(value, opt) {
      if (value === '' || value === undefined || Number(value) === 0) return true;
      if (!(Number(value) > 0)) return t('errors.reconcileMinutes');
      const platform = DropshipEditor.dialogValue(this, 'platform') || 'generic';
      return platform !== 'generic' || t('errors.reconcilePlatform');
    }

    function validateReconcileLookbackHours(value, opt) {
      return value === '' || value === undefined || Number(value) > 0 || t('errors.reconcileLookbackHours');
    }

    /** @this {EditorNode} */
    function validatePath(value, opt) {
      if (DropshipEditor.dialogValue(this, 'listen') === false) return true;
      const platform = DropshipEditor.dialogValue(this, 'platform') || 'generic';
      return DropshipEditor.endpointPath(this, value, DEFAULT_PATHS[platform], effectivePath, t);
    }

    /** @this {EditorNode} */
    function label() {
      return this.name || t('nodeLabel', { platform: t('platform.' + (this.platform || 'generic')) });
    }

    /** @param {number} index */
    function outputLabel(index) {
      return t(index === 0 ? 'outputs.received' : 'outputs.exceptions');
    }

    /** @this {EditorNode} */
    function prepare() {
      DropshipEditor.selectDefaults(this._def.defaults);
      const root = RED.settings.httpNodeRoot.replace(/\/$/, '');
      function showAddress() {
        const platform = $('#node-input-platform').val();
        const fallback = DEFAULT_PATHS[platform];
        $('#node-input-path').attr('placeholder', fallback);
        $('#dropship-order-in-address').text(
          location.protocol + '//' + location.host + root + ($('#node-input-path').val() || fallback),
        );
      }
      // The generic channel's sender proves itself as set here; Shopify and WooCommerce sign their own way.
      function showSender() {
        const generic = $('#node-input-platform').val() === 'generic';
        $('.dropship-order-in-sender').toggle(generic && $('#node-input-listen').prop('checked'));
      }
      $('#node-input-platform').on('change', function () {
        showAddress();
        showSender();
        // Only Shopify and WooCommerce have an order API to poll.
        $('.dropship-order-in-reconcile').toggle($(this).val() !== 'generic');
        // The storefront must match the platform: check it again.
        $('#node-input-storefront').trigger('change');
      });
      $('#node-input-path').on('change keyup', showAddress);
      // A flow saved without "listen" listens (the runtime reads anything but false as true).
      if (this.listen === undefined) $('#node-input-listen').prop('checked', true);
      $('#node-input-listen')
        .on('change', function () {
          const listening = $(this).prop('checked');
          $('.dropship-order-in-listening').toggle(listening);
          $('.dropship-order-in-not-listening').toggle(!listening);
          showSender();
        })
        .trigger('change');
      showAddress();
      DropshipEditor.senderAuth.prepare();
      $('#node-input-senderAuth').on('change', function () {
        $('#node-input-storefront').trigger('change');
      });
      $('.dropship-order-in-reconcile').toggle($('#node-input-platform').val() !== 'generic');
    }
    return {
      validateStorefront,
      validateReconcileMinutes,
      validateReconcileLookbackHours,
      validatePath,
      label,
      outputLabel,
      prepare,
    };
  };
})(this);
