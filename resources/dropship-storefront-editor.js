// @ts-check
/**
 * The editor logic of the dropship-storefront dialog, typed and linted here; nodes/storefront/storefront.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.storefront(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.storefront = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    const SIGNED_PLATFORMS = ['shopify', 'woocommerce', 'generic'];

    function secretSource(node) {
      const select = $('#dropship-storefront-secret-source');
      if (select.length) return select.val();
      return node.secretEnv ? 'env' : 'credentials';
    }

    /** @this {EditorNode} */
    function prepare() {
      const node = this;
      // What the dialog shows now, deployed or not: the routes use it with the stored secrets it leaves unchanged.
      const dialog = () => ({
        id: node.id,
        platform: $('#node-config-input-platform').val(),
        shopDomain: $('#node-config-input-shopDomain').val(),
        baseUrl: $('#node-config-input-baseUrl').val(),
        webhookUrl: $('#node-config-input-webhookUrl').val(),
        secretEnv:
          $('#dropship-storefront-secret-source').val() === 'env'
            ? $('#node-config-input-secretEnv').val()
            : '',
        credentials: {
          clientId: $('#node-config-input-clientId').val(),
          clientSecret: $('#node-config-input-clientSecret').val(),
          accessToken: $('#node-config-input-accessToken').val(),
          consumerKey: $('#node-config-input-consumerKey').val(),
          consumerSecret: $('#node-config-input-consumerSecret').val(),
          webhookSecret: $('#node-config-input-webhookSecret').val(),
        },
      });
      DropshipEditor.connectionTest(
        t,
        $('#dropship-storefront-test'),
        $('#dropship-storefront-test-result'),
        'dropship/storefronts/test',
        dialog,
      );
      const webhooksResult = $('#dropship-storefront-webhooks-result');
      DropshipEditor.connectionTest(
        t,
        $('#dropship-storefront-webhooks-list'),
        webhooksResult,
        'dropship/storefronts/webhooks/list',
        dialog,
      );
      DropshipEditor.connectionTest(
        t,
        $('#dropship-storefront-webhooks-subscribe'),
        webhooksResult,
        'dropship/storefronts/webhooks/subscribe',
        dialog,
      );
      $('#dropship-storefront-secret-source')
        .val(node.secretEnv ? 'env' : 'credentials')
        .on('change', function () {
          const source = $(this).val();
          $('.dropship-storefront-secret').each(function () {
            $(this).toggle($(this).attr('data-source') === source);
          });
          // Revalidate: which of the two secret fields is required depends on the source.
          $('#node-config-input-secretEnv').trigger('change');
        })
        .trigger('change');
      $('#node-config-input-platform')
        .on('change', function () {
          const platform = $(this).val();
          $('.dropship-storefront-for').each(function () {
            $(this).toggle(String($(this).attr('data-platforms')).split(',').includes(String(platform)));
          });
        })
        .trigger('change');
    }
    /** @this {EditorNode} */
    function save() {
      // Only one secret source is kept, so the flow never holds a forgotten second secret.
      if ($('#dropship-storefront-secret-source').val() === 'env') {
        $('#node-config-input-webhookSecret').val('');
      } else {
        $('#node-config-input-secretEnv').val('');
      }
      // Settings of another platform are dropped when the platform changes.
      const platform = $('#node-config-input-platform').val();
      if (platform !== 'shopify') {
        $('#node-config-input-shopDomain').val('');
        $('#node-config-input-accessToken').val('');
        $('#node-config-input-clientId').val('');
        $('#node-config-input-clientSecret').val('');
        $('#node-config-input-locationId').val('');
      }
      if (platform === 'generic') {
        $('#node-config-input-baseUrl').val('');
        $('#node-config-input-webhookUrl').val('');
      }
      if (platform !== 'woocommerce') {
        $('#node-config-input-consumerKey').val('');
        $('#node-config-input-consumerSecret').val('');
      }
    }
    return { SIGNED_PLATFORMS, secretSource, prepare, save };
  };
})(this);
