// @ts-check
/**
 * The editor logic of the dropship-portal dialog, typed and linted here; nodes/portal/portal.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.portal(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.portal = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    function operatorCall(path, supplierId) {
      return $.ajax({
        url: 'dropship/portal-admin/' + path,
        method: 'POST',
        contentType: 'application/json',
        data: JSON.stringify({ supplierId: supplierId }),
      });
    }

    function showResult(ok, text) {
      $('#dropship-portal-operator-result')
        .css(
          'color',
          ok ? 'var(--red-ui-text-color-success, #2a8a2a)' : 'var(--red-ui-text-color-error, #c00)',
        )
        .text(text);
    }

    function failure(xhr) {
      return (
        (xhr.responseJSON && xhr.responseJSON.error && xhr.responseJSON.error.message) ||
        t('operator.unreachable')
      );
    }

    function validatePublicUrl(v, opt) {
      return !v || /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v) || t('errors.publicUrl');
    }

    /** @this {EditorNode} */
    function label() {
      return this.name || t('paletteLabel');
    }

    /** @this {EditorNode} */
    function prepare() {
      DropshipEditor.selectDefaults(this._def.defaults);
      const list = $('#dropship-portal-activity');
      $.getJSON('dropship/portal-admin/activity')
        .done(function (actions) {
          list.empty();
          if (actions.length === 0) $('<li>').text(t('operator.noActivity')).appendTo(list);
          actions.forEach(function (a) {
            $('<li>')
              .text(
                a.createdAt.slice(0, 16).replace('T', ' ') +
                  ' ' +
                  a.supplierId +
                  ': ' +
                  t('kind.' + a.kind) +
                  (a.poNumber ? ' ' + a.poNumber : '') +
                  ' (' +
                  a.actor +
                  ')',
              )
              .appendTo(list);
          });
        })
        .fail(function (xhr) {
          $('<li>').text(failure(xhr)).appendTo(list);
        });
      $('#dropship-portal-act').on('click', function () {
        const supplierId = String($('#dropship-portal-supplier').val()).trim();
        operatorCall('act', supplierId)
          .done(function (answer) {
            showResult(true, t('operator.opened'));
            window.open(answer.url, '_blank', 'noopener');
          })
          .fail(function (xhr) {
            showResult(false, failure(xhr));
          });
      });
      $('#dropship-portal-revoke').on('click', function () {
        const supplierId = String($('#dropship-portal-supplier').val()).trim();
        operatorCall('revoke', supplierId)
          .done(function (answer) {
            showResult(true, t('operator.revoked', { count: answer.revokedLinks }));
          })
          .fail(function (xhr) {
            showResult(false, failure(xhr));
          });
      });
    }
    return { validatePublicUrl, label, prepare };
  };
})(this);
