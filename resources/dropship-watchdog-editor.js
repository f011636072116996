// @ts-check
/**
 * The editor logic of the dropship-watchdog dialog, typed and linted here; nodes/watchdog/watchdog.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.watchdog(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.watchdog = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    const OUTPUTS = ['escalations', 'queue', 'exceptions'];
    const UNITS = { minutes: 1 / 60, hours: 1, days: 24 };
    /** The built-in policy, from the runtime, while a dialog is open. */
    let policyDefaults;
    const isRecord = (v) => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

    /** The saved policy as an object: flows saved before the form keep it as JSON text. */
    function savedPolicy(value) {
      if (isRecord(value)) return value;
      if (typeof value !== 'string' || value.trim() === '') return {};
      try {
        const parsed = JSON.parse(value);
        return isRecord(parsed) ? parsed : undefined;
      } catch {
        return undefined;
      }
    }

    /** The mistakes the form can show in words (the runtime checks the same and more); [] when none. */
    function policyProblems(value) {
      const policy = savedPolicy(value);
      if (!policy) return [t('errors.policyNotJson')];
      const problems = [];
      const hours = (n) => typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 8760;
      for (const [name, condition] of Object.entries(policy.conditions || {})) {
        const title = t('condition.' + name + '.title');
        if (condition.thresholdHours !== undefined && !hours(condition.thresholdHours))
          problems.push(t('errors.threshold', { condition: title }));
        (condition.steps || []).forEach((step, i) => {
          if (!hours(step.afterHours))
            problems.push(t('errors.stepDelay', { condition: title, step: i + 1 }));
        });
      }
      const known = new Set(DropshipEditor.configuredSuppliers().map((s) => s.id));
      for (const [supplier, sla] of Object.entries(policy.supplierSlaHours || {})) {
        if (!known.has(supplier)) problems.push(t('errors.unknownSupplier', { id: supplier }));
        if (!hours(sla)) problems.push(t('errors.sla', { supplier: supplier }));
      }
      for (const supplier of policy.feedSuppliers || []) {
        if (!known.has(supplier)) problems.push(t('errors.unknownSupplier', { id: supplier }));
      }
      return problems;
    }

    /** A delay in hours shown in the largest unit that keeps it whole: 24 -> 1 day, 0.5 -> 30 minutes. */
    function delayIn(hours) {
      if (hours > 0 && hours % 24 === 0) return { amount: hours / 24, unit: 'days' };
      if (hours > 0 && !Number.isInteger(hours)) return { amount: Math.round(hours * 60), unit: 'minutes' };
      return { amount: hours, unit: 'hours' };
    }
    function unitSelect(current) {
      const select = $('<select/>', { style: 'width: 100px; margin-right: 6px;' });
      for (const unit of Object.keys(UNITS))
        $('<option/>')
          .val(unit)
          .text(t('unit.' + unit))
          .appendTo(select);
      return select.val(current);
    }

    /** One step of a condition's ladder: what to do, and how long after the condition began. */
    function stepRow(list, actions, step) {
      const row = $('<div/>', {
        class: 'dropship-watchdog-step',
        style: 'display: flex; align-items: center; margin: 0 0 4px 20px;',
      }).appendTo(list);
      const action = $('<select/>', {
        class: 'dropship-watchdog-action',
        style: 'width: 210px; margin-right: 6px;',
      }).appendTo(row);
      for (const a of actions)
        $('<option/>')
          .val(a)
          .text(t('action.' + a))
          .appendTo(action);
      action.val(step.action || actions[0]);
      $('<span/>', { style: 'margin-right: 6px;' }).text(t('label.after')).appendTo(row);
      const delay = delayIn(step.afterHours || 0);
      $('<input/>', {
        type: 'number',
        min: 0,
        class: 'dropship-watchdog-delay',
        style: 'width: 70px; margin-right: 6px;',
      })
        .val(delay.amount)
        .appendTo(row);
      unitSelect(delay.unit).addClass('dropship-watchdog-unit').appendTo(row);
      $(
        '<button type="button" class="red-ui-button red-ui-button-small"><i class="fa fa-times"></i></button>',
      )
        .attr('title', t('button.removeStep'))
        .on('click', () => row.remove())
        .appendTo(row);
    }

    /** A condition: on or off, when it begins, and its steps. */
    function conditionBox(container, name, actions, effective) {
      const box = $('<fieldset/>', {
        class: 'dropship-watchdog-condition',
        style:
          'border: 1px solid var(--red-ui-secondary-border-color, #ccc); padding: 4px 10px 8px; margin: 0 0 10px;',
      })
        .attr('data-condition', name)
        .appendTo(container);
      const legend = $('<legend/>', {
        style:
          'width: auto; border: none; margin: 0; padding: 0 4px; font-size: inherit; line-height: inherit;',
      }).appendTo(box);
      $('<input/>', {
        type: 'checkbox',
        class: 'dropship-watchdog-enabled',
        style: 'width: auto; margin: 0 6px 0 0;',
      })
        .prop('checked', effective.enabled !== false)
        .appendTo(legend);
      $('<b/>')
        .text(t('condition.' + name + '.title'))
        .appendTo(legend);
      $('<div/>', { class: 'form-tips', style: 'margin-bottom: 6px;' })
        .text(t('condition.' + name + '.what'))
        .appendTo(box);
      const threshold = $('<div/>', {
        style: 'display: flex; align-items: center; margin-bottom: 6px;',
      }).appendTo(box);
      $('<span/>', { style: 'margin-right: 6px;' })
        .text(t('condition.' + name + '.threshold'))
        .appendTo(threshold);
      const start = delayIn(effective.thresholdHours || 0);
      $('<input/>', {
        type: 'number',
        min: 0,
        class: 'dropship-watchdog-threshold',
        style: 'width: 70px; margin-right: 6px;',
      })
        .val(start.amount)
        .appendTo(threshold);
      unitSelect(start.unit).addClass('dropship-watchdog-threshold-unit').appendTo(threshold);
      $('<div/>', { style: 'margin-bottom: 4px;' }).text(t('label.steps')).appendTo(box);
      const steps = $('<div/>', { class: 'dropship-watchdog-steps' }).appendTo(box);
      (effective.steps || []).forEach((step) => stepRow(steps, actions, step));
      $(
        '<button type="button" class="red-ui-button red-ui-button-small" style="margin-left: 20px;"><i class="fa fa-plus"></i> </button>',
      )
        .addClass('dropship-watchdog-add-step')
        .append($('<span/>').text(t('button.addStep')))
        .on('click', () => stepRow(steps, actions, { action: actions[0], afterHours: 0 }))
        .appendTo(box);
    }

    function slaRow(list, supplier, hours) {
      const row = $('<div/>', {
        class: 'dropship-watchdog-sla-row',
        style: 'display: flex; align-items: center; margin-bottom: 4px;',
      }).appendTo(list);
      const known = new Set(DropshipEditor.configuredSuppliers().map((s) => s.id));
      const field = $('<input/>', {
        type: 'text',
        list: 'dropship-watchdog-supplier-ids',
        class: 'dropship-watchdog-sla-supplier',
        style: 'width: 180px; margin-right: 6px;',
      })
        .attr('placeholder', t('placeholder.supplier'))
        .val(supplier)
        .appendTo(row);
      // A supplier id no dropship-supplier has is marked as it is typed.
      const mark = () => {
        const id = String(field.val()).trim();
        field
          .toggleClass('input-error', Boolean(id) && !known.has(id))
          .attr('title', id && !known.has(id) ? t('errors.unknownSupplier', { id: id }) : null);
      };
      field.on('input change', mark);
      mark();
      $('<input/>', {
        type: 'number',
        min: 0,
        class: 'dropship-watchdog-sla-hours',
        style: 'width: 80px; margin-right: 6px;',
      })
        .val(hours)
        .appendTo(row);
      $('<span/>', { style: 'margin-right: 6px;' }).text(t('unit.hours')).appendTo(row);
      $(
        '<button type="button" class="red-ui-button red-ui-button-small"><i class="fa fa-times"></i></button>',
      )
        .on('click', () => row.remove())
        .appendTo(row);
    }

    const numberIn = (field) => (String(field.val()).trim() === '' ? undefined : Number(field.val()));
    const hoursOf = (amount, unit) => Math.round(amount * UNITS[unit] * 1000) / 1000;
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

    /** The policy the form shows, as the differences from the built-in one (so later built-in changes apply). */
    function readPolicy(defaults, kept) {
      const policy = { ...kept };
      const conditions = {};
      $('#dropship-watchdog-conditions .dropship-watchdog-condition').each(function () {
        const box = $(this);
        const name = String(box.attr('data-condition'));
        const builtIn = defaults.conditions[name];
        const threshold = numberIn(box.find('.dropship-watchdog-threshold'));
        const shown = {
          enabled: box.find('.dropship-watchdog-enabled').prop('checked'),
          thresholdHours:
            threshold === undefined
              ? builtIn.thresholdHours
              : hoursOf(threshold, box.find('.dropship-watchdog-threshold-unit').val()),
          steps: box
            .find('.dropship-watchdog-step')
            .map(function () {
              const row = $(this);
              return {
                action: row.find('.dropship-watchdog-action').val(),
                afterHours: hoursOf(
                  numberIn(row.find('.dropship-watchdog-delay')) || 0,
                  row.find('.dropship-watchdog-unit').val(),
                ),
              };
            })
            .get(),
        };
        const changed = {};
        for (const key of Object.keys(shown)) if (!same(shown[key], builtIn[key])) changed[key] = shown[key];
        if (Object.keys(changed).length) conditions[name] = changed;
      });
      policy.conditions = Object.keys(conditions).length ? conditions : undefined;
      const sla = {};
      $('#dropship-watchdog-sla .dropship-watchdog-sla-row').each(function () {
        const supplier = String($(this).find('.dropship-watchdog-sla-supplier').val()).trim();
        const hours = numberIn($(this).find('.dropship-watchdog-sla-hours'));
        if (supplier && hours !== undefined) sla[supplier] = hours;
      });
      policy.supplierSlaHours = Object.keys(sla).length ? sla : undefined;
      const estimate = numberIn($('#dropship-watchdog-estimate'));
      policy.customerEstimateDays =
        estimate === undefined || estimate === defaults.customerEstimateDays ? undefined : estimate;
      const limit = numberIn($('#dropship-watchdog-limit'));
      const errorRate = {
        baselineDays: numberIn($('#dropship-watchdog-baseline')),
        consecutiveDays: numberIn($('#dropship-watchdog-consecutive')),
        sigmas: numberIn($('#dropship-watchdog-sigmas')),
        limit: limit === undefined ? undefined : limit / 100,
      };
      for (const key of Object.keys(errorRate))
        if (errorRate[key] === undefined || errorRate[key] === defaults.errorRate[key]) delete errorRate[key];
      policy.errorRate = Object.keys(errorRate).length ? errorRate : undefined;
      const feeds = String($('#dropship-watchdog-feeds').val() || '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      policy.feedSuppliers = feeds.length ? feeds : undefined;
      for (const key of Object.keys(policy)) if (policy[key] === undefined) delete policy[key];
      return policy;
    }

    /** @this {EditorNode} */
    function prepare() {
      const node = this;
      policyDefaults = undefined;
      const saved = savedPolicy(node.policy);
      if (!saved) $('#dropship-watchdog-problems').text(t('errors.policyNotJson')).show();
      const kept = saved || {};
      for (const supplier of DropshipEditor.configuredSuppliers()) {
        $('<option/>').val(supplier.id).text(supplier.label).appendTo('#dropship-watchdog-supplier-ids');
      }
      $.getJSON('dropship/watchdog/policy').then(function (answer) {
        policyDefaults = answer.defaults;
        const container = $('#dropship-watchdog-conditions').empty();
        for (const name of answer.conditions) {
          const own = (kept.conditions || {})[name] || {};
          conditionBox(container, name, answer.actions, { ...answer.defaults.conditions[name], ...own });
        }
        const sla = $('#dropship-watchdog-sla').empty();
        const slaList = $('<div/>').appendTo(sla);
        for (const [supplier, hours] of Object.entries(kept.supplierSlaHours || {}))
          slaRow(slaList, supplier, hours);
        $(
          '<button type="button" class="red-ui-button red-ui-button-small" style="margin-bottom: 8px;"><i class="fa fa-plus"></i> </button>',
        )
          .append($('<span/>').text(t('button.addSla')))
          .on('click', () => slaRow(slaList, '', ''))
          .appendTo(sla);
        const errorRate = { ...answer.defaults.errorRate, ...(kept.errorRate || {}) };
        $('#dropship-watchdog-estimate').val(
          kept.customerEstimateDays !== undefined
            ? kept.customerEstimateDays
            : answer.defaults.customerEstimateDays,
        );
        $('#dropship-watchdog-baseline').val(errorRate.baselineDays);
        $('#dropship-watchdog-consecutive').val(errorRate.consecutiveDays);
        $('#dropship-watchdog-sigmas').val(errorRate.sigmas);
        $('#dropship-watchdog-limit').val(errorRate.limit === undefined ? '' : errorRate.limit * 100);
        $('#dropship-watchdog-feeds').val((kept.feedSuppliers || []).join(', '));
      });
    }
    /** @this {EditorNode} */
    function save() {
      // Saved only once the form has loaded the built-in policy; a policy the form could not read stays.
      const saved = savedPolicy(this.policy);
      if (policyDefaults && saved) {
        this.policy = readPolicy(policyDefaults, saved);
        this.version = 2;
      }
    }
    return { OUTPUTS, policyProblems, prepare, save };
  };
})(this);
