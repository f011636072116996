// @ts-check
/**
 * The editor logic of the dropship-dispatch dialog, typed and linted here; nodes/dispatch/dispatch.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.dispatch(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.dispatch = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.

    /** Empty (the runtime's default) or a whole number from min to max; otherwise the field and the reason in words. */

    function readableDuration(value) {
      const n = Number(value);
      if (n < 120) return t('duration.seconds', { count: n });
      if (n < 7200) return t('duration.minutes', { count: Math.round(n / 60) });
      return t('duration.hours', { count: Math.round(n / 360) / 10 });
    }

    /** @this {EditorNode} */
    function prepare() {
      DropshipEditor.selectDefaults(this._def.defaults);
      // Spells out the retry schedule the numbers give (before jitter), so the operator sees the effect.
      // An empty field takes the runtime's default, which its placeholder shows.
      const numberIn = (id) => Number($(id).val() || $(id).attr('placeholder'));
      function showSchedule() {
        const attempts = numberIn('#node-input-maxAttempts');
        const base = numberIn('#node-input-baseDelaySeconds');
        const max = numberIn('#node-input-maxDelaySeconds');
        const box = $('#dropship-dispatch-schedule');
        if (!(attempts >= 1 && base >= 1 && max >= base)) {
          box.hide();
          return;
        }
        const waits = [];
        let total = 0;
        for (let retry = 1; retry < attempts; retry++) {
          const wait = Math.min(max, base * 2 ** (retry - 1));
          total += wait;
          if (waits.length < 6) waits.push(readableDuration(wait));
        }
        const list = waits.join(', ') + (attempts - 1 > waits.length ? ', …' : '');
        box
          .text(
            attempts === 1
              ? t('tip.noRetry')
              : t('tip.schedule', { waits: list, total: readableDuration(total) }),
          )
          .show();
      }
      $('#node-input-maxAttempts, #node-input-baseDelaySeconds, #node-input-maxDelaySeconds').on(
        'change keyup',
        showSchedule,
      );
      showSchedule();
    }
    return { prepare };
  };
})(this);
