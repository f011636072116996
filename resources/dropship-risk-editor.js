// @ts-check
/**
 * The editor logic of the dropship-risk dialog, typed and linted here; nodes/risk/risk.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.risk(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.risk = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    const KINDS = [
      'address',
      'po_box',
      'address_verification',
      'velocity',
      'order_value',
      'country_mismatch',
      'storefront_risk',
    ];
    const SIGNALS = ['email', 'address', 'ip', 'card'];
    /** The fields each kind of rule shows, besides its kind and label. */
    const FIELDS = {
      po_box: ['carriers'],
      velocity: ['signal', 'maxOrders', 'windowHours'],
      order_value: ['above'],
      storefront_risk: ['atLeast'],
    };

    const wholeIn = (value, min, max) =>
      Number.isInteger(Number(value)) && Number(value) >= min && Number(value) <= max && value !== '';

    /** What is wrong with the rows, each naming its row and field, as the runtime would refuse them. */
    function rulesProblems(rules) {
      if (!Array.isArray(rules)) return [t('errors.rulesList')];
      const problems = [];
      rules.forEach((rule, i) => {
        const row = i + 1;
        if (!rule || !KINDS.includes(rule.kind)) problems.push(t('errors.kind', { row: row }));
        if (!rule || !String(rule.label || '').trim()) problems.push(t('errors.label', { row: row }));
        if (!rule) return;
        if (rule.kind === 'velocity') {
          if (!SIGNALS.includes(rule.signal)) problems.push(t('errors.signal', { row: row }));
          if (!wholeIn(rule.maxOrders, 1, 1000)) problems.push(t('errors.maxOrders', { row: row }));
          if (!wholeIn(rule.windowHours, 1, 2160)) problems.push(t('errors.windowHours', { row: row }));
        }
        if (rule.kind === 'order_value' && !(Number(rule.above) > 0))
          problems.push(t('errors.above', { row: row }));
        if (rule.kind === 'storefront_risk' && !['medium', 'high'].includes(rule.atLeast))
          problems.push(t('errors.atLeast', { row: row }));
      });
      return problems;
    }

    function selectOf(values, prefix, selected) {
      const select = $('<select/>').css({ width: '150px' });
      for (const value of values)
        $('<option/>')
          .val(value)
          .text(t(prefix + value))
          .appendTo(select);
      return select.val(selected || values[0]);
    }

    function captioned(caption, field) {
      return $('<label/>')
        .css({ display: 'inline-block', 'margin-right': '8px' })
        .append($('<div/>').text(caption).css({ 'font-size': '0.85em' }), field);
    }

    function ruleRow(container, _index, rule) {
      const kind = selectOf(KINDS, 'kind.', rule.kind).addClass('dropship-risk-kind');
      const label = $('<input type="text"/>')
        .addClass('dropship-risk-label')
        .css({ width: '200px' })
        .val(rule.label || '')
        .attr('placeholder', t('placeholder.label'));
      const extra = {
        carriers: $('<input type="text"/>')
          .addClass('dropship-risk-carriers')
          .css({ width: '200px' })
          .val(rule.carriers || '')
          .attr('placeholder', t('placeholder.carriers')),
        signal: selectOf(SIGNALS, 'signal.', rule.signal).addClass('dropship-risk-signal'),
        maxOrders: $('<input type="number" min="1" max="1000"/>')
          .addClass('dropship-risk-maxOrders')
          .css({ width: '70px' })
          .val(rule.maxOrders !== undefined ? rule.maxOrders : 3),
        windowHours: $('<input type="number" min="1" max="2160"/>')
          .addClass('dropship-risk-windowHours')
          .css({ width: '70px' })
          .val(rule.windowHours !== undefined ? rule.windowHours : 24),
        above: $('<input type="number" min="0" step="0.01"/>')
          .addClass('dropship-risk-above')
          .css({ width: '100px' })
          .val(rule.above !== undefined ? rule.above : 500),
        atLeast: selectOf(['high', 'medium'], 'atLeast.', rule.atLeast).addClass('dropship-risk-atLeast'),
      };
      /** @type {Record<string, JQuery>} */
      const captions = {};
      for (const [name, field] of Object.entries(extra))
        captions[name] = captioned(t('label.' + name), field);
      container.append(
        captioned(t('label.kind'), kind),
        captioned(t('label.label'), label),
        ...Object.values(captions),
      );
      kind
        .on('change', function () {
          const shown = FIELDS[$(this).val()] || [];
          for (const [name, caption] of Object.entries(captions)) caption.toggle(shown.includes(name));
        })
        .trigger('change');
    }

    function readRules() {
      const rules = [];
      $('#dropship-risk-rules')
        .editableList('items')
        .each(function () {
          const row = $(this);
          const value = (cls) => row.find('.dropship-risk-' + cls).val();
          /** @type {Record<string, unknown>} */
          const rule = { kind: value('kind'), label: String(value('label') || '').trim() };
          for (const field of FIELDS[rule.kind] || []) {
            const raw = value(field);
            rule[field] = ['maxOrders', 'windowHours', 'above'].includes(field)
              ? Number(raw)
              : String(raw || '').trim();
          }
          rules.push(rule);
        });
      return rules;
    }

    function validateRules(value, opt) {
      const problems = rulesProblems(value);
      return problems.length === 0 || problems[0];
    }

    function validateValidator(value, opt) {
      return ['none', 'usps'].includes(value) || t('errors.validator');
    }

    function validateUspsBaseUrl(value, opt) {
      return !value || /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(value) || t('errors.uspsBaseUrl');
    }

    /** @this {EditorNode} */
    function label() {
      return this.name || t('nodeLabel', { count: Array.isArray(this.rules) ? this.rules.length : 0 });
    }

    /** @this {EditorNode} */
    function prepare() {
      const list = $('#dropship-risk-rules')
        .css({ 'min-height': '80px', 'min-width': '450px' })
        .editableList({
          addItem: ruleRow,
          removable: true,
          sortable: true,
          height: 'auto',
        });
      list.editableList('height', 0);
      list.closest('.red-ui-editableList-container').css('height', '');
      for (const rule of Array.isArray(this.rules) ? this.rules : []) list.editableList('addItem', rule);
      $('#node-config-input-validator')
        .on('change', function () {
          $('.dropship-risk-usps').toggle($(this).val() === 'usps');
        })
        .trigger('change');
    }

    /** @this {EditorNode} */
    function save() {
      this.rules = readRules();
    }
    return { validateRules, validateValidator, validateUspsBaseUrl, label, prepare, save };
  };
})(this);
