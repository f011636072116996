// @ts-check
/**
 * The editor logic of the dropship-file-connection dialog, typed and linted here; nodes/file-connection/file-connection.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.fileConnection(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.fileConnection = function (t) {
    function isSftp(node) {
      return DropshipEditor.configDialogValue(node, 'kind') !== 'folder';
    }

    /** @this {EditorNode} */
    function prepare() {
      const node = this;
      $('#node-config-input-kind')
        .on('change', function () {
          const sftp = $(this).val() !== 'folder';
          $('.dropship-file-connection-sftp').toggle(sftp);
          $('#dropship-file-connection-root-tip').text(t(sftp ? 'tip.sftpRoot' : 'tip.folderRoot'));
          $('#node-config-input-root').attr(
            'placeholder',
            t(sftp ? 'placeholder.sftpRoot' : 'placeholder.folderRoot'),
          );
        })
        .trigger('change');
      DropshipEditor.connectionTest(
        t,
        $('#dropship-file-connection-test'),
        $('#dropship-file-connection-test-result'),
        'dropship/file-connections/test',
        () => ({
          id: node.id,
          kind: $('#node-config-input-kind').val(),
          host: $('#node-config-input-host').val(),
          port: $('#node-config-input-port').val(),
          username: $('#node-config-input-username').val(),
          hostKeySha256: $('#node-config-input-hostKeySha256').val(),
          root: $('#node-config-input-root').val(),
          credentials: {
            password: $('#node-config-input-password').val(),
            privateKey: $('#node-config-input-privateKey').val(),
            passphrase: $('#node-config-input-passphrase').val(),
          },
        }),
      );
    }
    return { isSftp, prepare };
  };
})(this);
