// @ts-check
/**
 * The editor logic of the dropship-inventory-in dialog, typed and linted here; nodes/inventory-in/inventory-in.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.inventoryIn(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.inventoryIn = function (t) {
    /** Flows saved before the source choice existed read a feed address when they have one. */
    function sourceOf(node) {
      return (
        DropshipEditor.dialogValue(node, 'source') ||
        (DropshipEditor.dialogValue(node, 'url') ? 'url' : 'messages')
      );
    }
    /** The SFTP or folder settings a node saved before file connections kept inline (source sftp or local). */
    function legacyConnectionOf(node) {
      if (node.source === 'sftp')
        return {
          kind: 'sftp',
          host: node.host,
          port: node.port || 22,
          username: node.username,
          hostKeySha256: node.hostKeySha256 || '',
          root: node.root || '',
        };
      if (node.source === 'local') return { kind: 'folder', root: node.root };
      return undefined;
    }
    // The validators of the dialog's fields: (value, opt), so Node-RED shows the sentence they return.
    /** A supplier id, required when the feed is read from a web address (the feed names none). */
    function supplierCheck(value, opt) {
      if (!value) return sourceOf(this) !== 'url' || t('errors.urlNeedsSupplier');
      return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(value) || t('errors.supplier');
    }
    /** "5, 10": whole numbers above 0, separated by commas. */
    function thresholdsCheck(value, opt) {
      return !value || /^\s*[1-9][0-9]*(\s*,\s*[1-9][0-9]*)*\s*$/.test(value) || t('errors.thresholds');
    }
    function urlCheck(value, opt) {
      if (sourceOf(this) === 'url' && !value) return t('errors.urlMissing');
      return !value || /^https?:\/\/\S+$/.test(value) || t('errors.url');
    }
    function connectionCheck(value, opt) {
      return sourceOf(this) !== 'files' || (Boolean(value) && value !== '_ADD_') || t('errors.connection');
    }
    function settleSecondsCheck(value, opt) {
      if (sourceOf(this) !== 'files') return true;
      return DropshipEditor.wholeNumber(t, 'settleSeconds', 0, 3600)(value, opt);
    }
    function intervalCheck(value, opt) {
      const minutes = Number(value);
      return (Number.isFinite(minutes) && minutes >= 1 && minutes <= 10080) || t('errors.intervalMinutes');
    }
    /** A folder relative to the transport's root: no leading slash, no "..", no backslash. */
    function folderCheck(value, opt) {
      if (sourceOf(this) !== 'files') return true;
      return DropshipEditor.relativeFolder(value, t);
    }

    /** @this {EditorNode} */
    function prepare() {
      DropshipEditor.selectDefaults(this._def.defaults);
      const node = this;
      const routers = $('#node-input-router');
      $('<option value=""></option>').text(t('option.noRouter')).appendTo(routers);
      RED.nodes.eachNode(function (n) {
        if (n.type === 'dropship-router')
          $('<option/>').val(n.id).text(RED.utils.getNodeLabel(n, n.id)).appendTo(routers);
      });
      routers.val(node.router || '');
      if (legacyConnectionOf(node)) $('#dropship-inventory-in-legacy-connection').show();
      $('#node-input-source')
        .val(legacyConnectionOf(node) ? 'files' : sourceOf(node))
        .on('change', function () {
          const source = $(this).val();
          $('.dropship-inventory-in-url').toggle(source === 'url');
          $('.dropship-inventory-in-folder').toggle(source === 'files');
          $('.dropship-inventory-in-reading').toggle(source !== 'messages');
          $('#node-input-supplier').trigger('change');
        })
        .trigger('change');
    }
    /** @this {EditorNode} */
    function save() {
      const legacy = legacyConnectionOf(this);
      if ($('#node-input-source').val() === 'files')
        DropshipEditor.fileConnection.adoptUnlessChosen(this, legacy, $('#node-input-connection'));
      for (const property of ['host', 'port', 'username', 'hostKeySha256', 'root']) this[property] = '';
      this.version = 2;
    }
    return {
      folderCheck,
      supplierCheck,
      thresholdsCheck,
      urlCheck,
      connectionCheck,
      settleSecondsCheck,
      intervalCheck,
      prepare,
      save,
    };
  };
})(this);
