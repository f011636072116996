/**
 * Editor helpers shared by the node-red-contrib-dropship edit dialogs. Node-RED serves this folder to the editor
 * as resources/node-red-contrib-dropship/; each node's .html loads it with a <script src> tag before its own
 * script, so `DropshipEditor` is defined when the node types register.
 */
/* global RED, $ */
(function (global) {
  'use strict';

  /** The value of a dialog input when that dialog is open (checkboxes as booleans), else undefined. */
  function inputValue(id) {
    const input = $('#' + id);
    if (!input.length) return undefined;
    return input.attr('type') === 'checkbox' ? input.prop('checked') : input.val();
  }

  global.DropshipEditor = {
    /**
     * A validator for a config-node property: the node is chosen, exists and has no problems; otherwise the
     * message (from the node's catalogue through `t`) that says what to do about it.
     */
    configChoice: function (t, missingKey, invalidKey) {
      // Two parameters on purpose: Node-RED shows the returned sentence only to (value, opt) validators.
      // eslint-disable-next-line no-unused-vars
      return function (value, opt) {
        const chosen = value && value !== '_ADD_' ? RED.nodes.node(value) : null;
        if (!chosen) return t(missingKey);
        return chosen.valid !== false || t(invalidKey);
      };
    },

    /**
     * A validator for a whole number from `min` to `max` typed into a field; empty is fine (the runtime's
     * default). The message names the field by its label (label.<property>) through the node's `t`.
     */
    wholeNumber: function (t, property, min, max) {
      // eslint-disable-next-line no-unused-vars
      return function (value, opt) {
        if (value === undefined || String(value).trim() === '') return true;
        const n = Number(value);
        if (Number.isInteger(n) && n >= min && n <= max) return true;
        return t('errors.range', { field: t('label.' + property), min, max });
      };
    },

    /** A validator for a JSON object typed into a text field; empty is fine (none). */
    jsonObject: function (t, property) {
      // eslint-disable-next-line no-unused-vars
      return function (value, opt) {
        if (value === undefined || String(value).trim() === '') return true;
        try {
          const parsed = JSON.parse(value);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return true;
        } catch {
          // not JSON: reported below
        }
        return t('errors.json', { field: t('label.' + property) });
      };
    },

    /** A field of a flow node's open dialog, else the saved property: validators run in both places. */
    dialogValue: function (node, property) {
      const shown = inputValue('node-input-' + property);
      return shown === undefined ? node[property] : shown;
    },

    /** The same for a config node's dialog, whose inputs are named node-config-input-*. */
    configDialogValue: function (node, property) {
      const shown = inputValue('node-config-input-' + property);
      return shown === undefined ? node[property] : shown;
    },

    /** A TCP port number: a whole number from 1 to 65535 (text from an input is fine). */
    isPort: function (value) {
      const port = Number(value);
      return Number.isInteger(port) && port >= 1 && port <= 65535;
    },

    /** An SSH host key fingerprint as OpenSSH prints it: SHA256: and 43 base64 characters. */
    isHostKeyFingerprint: function (value) {
      return /^SHA256:[A-Za-z0-9+/]{43}=?$/.test(value);
    },

    /**
     * A folder below a transport's root (SFTP base folder or local folder): not empty, no leading slash, no
     * backslash and no "..", so a setting cannot reach outside the folder the supplier gave us.
     */
    relativeFolder: function (value, t) {
      const text = String(value || '');
      if (!text || text.startsWith('/') || text.includes('\\')) return t('errors.folder');
      return !text.split('/').includes('..') || t('errors.folderTraversal');
    },

    /**
     * Checks the HTTP path a listening node serves: it starts with / and has no spaces, ? or #, and no other
     * enabled, listening node of the same type serves the same path. `ownDefault` is the path this node serves
     * when the field is empty, `pathOf(n)` the path another node serves.
     */
    endpointPath: function (node, value, ownDefault, pathOf, t) {
      if (value && !/^\/[^\s?#]*$/.test(value)) return t('errors.path');
      const mine = value || ownDefault;
      let clash = false;
      RED.nodes.eachNode(function (n) {
        if (n.type === node.type && n.id !== node.id && !n.d && n.listen !== false && pathOf(n) === mine)
          clash = true;
      });
      return !clash || t('errors.pathTaken', { path: mine });
    },
  };
})(this);
