// @ts-check
/**
 * The editor logic of the dropship-router dialog, typed and linted here; nodes/router/router.html keeps the wiring
 * (RED.nodes.registerType with its defaults) and calls DropshipEditor.router(t). Loaded after dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.router = function (t) {
    const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    const WORKING_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];
    const MATCH_KINDS = ['sku', 'category', 'brand', 'vendor'];
    const WEIGHTS = { stock: 0.3, cost: 0.4, handling: 0.15, performance: 0.15 };
    const SUPPLIER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
    const COUNTRY = /^[A-Z]{2}$/;
    const CUTOFF = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

    /** "US, ca" -> ["US", "CA"]; empty text -> undefined, so the rules document stays small. */
    function listOf(text, upper) {
      const items = String(text || '')
        .split(',')
        .map((item) => (upper ? item.trim().toUpperCase() : item.trim()))
        .filter(Boolean);
      return items.length > 0 ? items : undefined;
    }
    function numberOf(text) {
      return text === '' || text === undefined || text === null ? undefined : Number(text);
    }
    /** A copy without the keys whose value is undefined (the schema refuses nothing, but flows stay tidy). */
    function compact(object) {
      const copy = {};
      for (const [key, value] of Object.entries(object)) if (value !== undefined) copy[key] = value;
      return copy;
    }
    function bufferOf(value, unit) {
      const amount = numberOf(value);
      if (amount === undefined) return undefined;
      return unit === 'percent' ? { percent: amount } : { units: amount };
    }

    /** The mistakes the editor can see without the server, in the operator's words; [] when none. */
    function rulesProblems(rules) {
      if (!rules || typeof rules !== 'object' || Array.isArray(rules)) return [t('errors.rulesNotObject')];
      const problems = [];
      const checkSkuBuffers = (owner, entries) =>
        (entries || []).forEach((entry, i) => {
          const buffer = entry.buffer || {};
          const amount = buffer.units !== undefined ? buffer.units : buffer.percent;
          const where = { owner: owner, sku: entry.sku || '#' + (i + 1) };
          if (!entry.sku) problems.push(t('errors.skuBufferSku', where));
          if (!(amount >= 0)) problems.push(t('errors.skuBufferAmount', where));
          else if (buffer.units !== undefined && !Number.isInteger(buffer.units)) {
            problems.push(t('errors.skuBufferUnits', where));
          } else if (buffer.percent > 100) problems.push(t('errors.skuBufferPercent', where));
        });
      const checkCountries = (codes) =>
        (codes || []).forEach((code) => {
          if (!COUNTRY.test(code)) problems.push(t('errors.country', { code: code }));
        });
      for (const [id, supplier] of Object.entries(rules.suppliers || {})) {
        if (!SUPPLIER_ID.test(id)) problems.push(t('errors.supplierId', { value: id }));
        if (supplier.cutoff && !CUTOFF.test(supplier.cutoff)) {
          problems.push(t('errors.cutoff', { supplier: id, value: supplier.cutoff }));
        }
        checkCountries(supplier.shipsTo && supplier.shipsTo.countries);
        checkCountries(supplier.shipsTo && supplier.shipsTo.excludeCountries);
        (supplier.shipping || []).forEach((rate, i) => {
          checkCountries(rate.countries);
          if (!(rate.base >= 0)) problems.push(t('errors.shippingBase', { supplier: id, rate: i + 1 }));
          if (rate.perUnit !== undefined && !(rate.perUnit >= 0)) {
            problems.push(t('errors.shippingPerUnit', { supplier: id, rate: i + 1 }));
          }
        });
        checkSkuBuffers(id, supplier.stock && supplier.stock.skuBuffers);
      }
      checkSkuBuffers(t('heading.stock'), rules.stock && rules.stock.skuBuffers);
      (rules.rules || []).forEach((rule, i) => {
        if (!rule.suppliers || rule.suppliers.length === 0) {
          problems.push(t('errors.ruleSuppliers', { rule: rule.name || i + 1 }));
        }
        checkCountries(rule.match && rule.match.countries);
      });
      problems.push(...unknownSupplierProblems(rules), ...unreachableRuleProblems(rules.rules || []));
      (rules.catalogue || []).forEach((entry, i) => {
        if (!entry.supplier) problems.push(t('errors.catalogueSupplier', { entry: i + 1 }));
        for (const field of ['unitCost', 'dropshipFee']) {
          if (entry[field] !== undefined && !(entry[field] >= 0)) {
            problems.push(t('errors.number', { field: t('column.' + field) }));
          }
        }
      });
      return problems;
    }

    /** The ids of the dropship-supplier config nodes of this editor: the suppliers rules may name. */
    function configuredIds() {
      return new Set(DropshipEditor.configuredSuppliers().map((supplier) => supplier.id));
    }

    /** Supplier ids named in the rules that no dropship-supplier has (a typo would leave orders waiting). */
    function unknownSupplierProblems(rules) {
      const known = configuredIds();
      const groups = rules.groups || {};
      const problems = [];
      const check = (ids, where) =>
        (ids || []).forEach((id) => {
          if (!known.has(id) && !(id in groups))
            problems.push(t('errors.unknownSupplier', { id: id, where: where }));
        });
      (rules.rules || []).forEach((rule, i) => {
        const where = t('where.rule', { rule: rule.name || i + 1 });
        check(rule.suppliers, where);
        check(rule.fallback, where);
      });
      check(rules.fallback, t('label.fallback'));
      for (const [name, members] of Object.entries(groups)) check(members, t('where.group', { group: name }));
      (rules.catalogue || []).forEach(
        (entry, i) => entry.supplier && check([entry.supplier], t('where.catalogue', { entry: i + 1 })),
      );
      check(Object.keys(rules.suppliers || {}), t('heading.suppliers'));
      return problems;
    }

    /** A rule that fits every line: no condition, or only the SKU pattern "*". */
    function isCatchAll(rule) {
      const match = rule.match || {};
      return Object.keys(match).every((key) => key === 'sku' && match.sku === '*');
    }

    /** Rules below a catch-all never fire: the first rule that fits a line decides. */
    function unreachableRuleProblems(ruleList) {
      const first = ruleList.findIndex(isCatchAll);
      if (first < 0) return [];
      const catchAll = ruleList[first].name || first + 1;
      return ruleList
        .slice(first + 1)
        .map((rule, k) =>
          t('errors.ruleAfterCatchAll', { rule: rule.name || first + k + 2, catchAll: catchAll }),
        );
    }

    /**
     * A labelled cell of a row: a caption above the field, so a filled field still says what it holds
     * (column.<key>), and the example as its placeholder (placeholder.<key>).
     */
    function cell(row, key, width) {
      const box = $('<div/>', {
        class: 'dropship-router-cell',
        style: 'display: flex; flex-direction: column; margin: 0 10px 8px 0; width: ' + width + ';',
      }).appendTo(row);
      $('<label/>', { style: 'width: auto; margin: 0 0 2px 0; font-size: 0.85em;' })
        .text(t('column.' + key))
        .appendTo(box);
      return box;
    }
    function labelledInput(row, type, value, width, key) {
      const box = cell(row, key, width);
      const field = $('<input/>', { type: type, style: 'width: 100%;' })
        .val(value === undefined || value === null ? '' : value)
        .attr('placeholder', t('placeholder.' + key))
        .appendTo(box);
      return field;
    }
    function labelledSelect(row, values, current, labelPrefix, width, key) {
      const box = cell(row, key, width);
      const field = $('<select/>', { style: 'width: 100%;' }).appendTo(box);
      for (const value of values)
        $('<option/>')
          .val(value)
          .text(t(labelPrefix + value))
          .appendTo(field);
      field.val(current || values[0]);
      return field;
    }

    /** The group names the dialog shows now (rules may name a group instead of a supplier). */
    function shownGroupNames() {
      const names = new Set();
      const list = $('#dropship-router-groups');
      // Rows built while the groups list itself is being set up find it not ready yet: no groups then.
      const rows = list.data('nodered-editableList') ? list.editableList('items') : $();
      rows.each(function () {
        const name = ($(this).data('fields') || {}).name;
        if (name && name.val().trim()) names.add(name.val().trim());
      });
      return names;
    }

    /**
     * A field of supplier ids (one, or a comma list) offering the configured suppliers as it is typed, and
     * marking, under the field, the ids no dropship-supplier has.
     */
    function supplierField(row, value, width, key, groupsAllowed) {
      const field = labelledInput(row, 'text', value, width, key)
        .attr('list', 'dropship-router-supplier-ids')
        .addClass('dropship-router-supplier-field');
      field.data('groupsAllowed', groupsAllowed);
      $('<div/>', {
        class: 'dropship-router-field-problem',
        style: 'color: var(--red-ui-text-color-error, #c00); font-size: 0.85em;',
      })
        .hide()
        .appendTo(field.parent());
      field.on('input change', () => markUnknownSuppliers(field));
      markUnknownSuppliers(field);
      return field;
    }
    function markUnknownSuppliers(field) {
      const known = configuredIds();
      const groups = field.data('groupsAllowed') ? shownGroupNames() : new Set();
      const unknown = (listOf(field.val(), false) || []).filter((id) => !known.has(id) && !groups.has(id));
      field.toggleClass('input-error', unknown.length > 0);
      field
        .siblings('.dropship-router-field-problem')
        .text(unknown.length ? t('errors.unknownInField', { ids: unknown.join(', ') }) : '')
        .toggle(unknown.length > 0);
    }

    /** A small input inside a sub-table line (shipping rates, SKU buffers), its example as placeholder. */
    function input(row, type, value, width, placeholderKey) {
      const field = $('<input/>', { type: type, style: 'width: ' + width + '; margin: 0 4px 4px 0;' })
        .val(value === undefined || value === null ? '' : value)
        .appendTo(row);
      if (placeholderKey) field.attr('placeholder', t('placeholder.' + placeholderKey));
      return field;
    }
    function select(row, values, current, labelPrefix, width) {
      const field = $('<select/>', { style: 'width: ' + width + '; margin: 0 4px 4px 0;' }).appendTo(row);
      for (const value of values)
        $('<option/>')
          .val(value)
          .text(t(labelPrefix + value))
          .appendTo(field);
      field.val(current || values[0]);
      return field;
    }
    function line(container) {
      return $('<div/>', { style: 'display: flex; flex-wrap: wrap; align-items: center;' }).appendTo(
        container,
      );
    }

    /** Rows added or removed fire no input event: tell the live check that the rules changed. */
    function edited() {
      $('#dialog-form').trigger('dropship-router-edited');
    }

    /**
     * A small table of typed lines (a supplier's shipping rates, SKU buffers), kept in the order shown, with a
     * remove button per line and an add button below. `addLine(line, entry)` builds a line's inputs.
     */
    function subTable(container, addKey, entries, addLine) {
      const body = $('<div/>', { class: 'dropship-router-subtable' }).appendTo(container);
      function add(entry) {
        const row = line(body);
        row.data('fields', addLine(row, entry));
        $(
          '<button type="button" class="red-ui-button red-ui-button-small"><i class="fa fa-times"></i></button>',
        )
          .attr('title', t('button.remove'))
          .on('click', function () {
            row.remove();
            edited();
          })
          .appendTo(row);
      }
      entries.forEach(add);
      $(
        '<button type="button" class="red-ui-button red-ui-button-small" style="margin-bottom: 4px;"></button>',
      )
        .append($('<i class="fa fa-plus"></i>'))
        .append($('<span/>').text(' ' + t(addKey)))
        .on('click', function () {
          add({});
          edited();
        })
        .appendTo(container);
      return body;
    }
    /** The entries of a sub-table, read line by line; lines left empty are skipped. */
    function subTableEntries(body, readLine) {
      const entries = [];
      body.children().each(function () {
        const entry = readLine($(this).data('fields'));
        if (entry) entries.push(entry);
      });
      return entries;
    }

    function shippingRateLine(row, rate) {
      return {
        countries: input(row, 'text', (rate.countries || []).join(', '), '190px', 'rateCountries'),
        base: input(row, 'number', rate.base, '120px', 'shippingBase').attr({ min: 0, step: '0.01' }),
        perUnit: input(row, 'number', rate.perUnit, '90px', 'shippingPerUnit').attr({ min: 0, step: '0.01' }),
      };
    }
    function readShippingRate(fields) {
      const rate = compact({
        countries: listOf(fields.countries.val(), true),
        base: numberOf(fields.base.val()),
        perUnit: numberOf(fields.perUnit.val()),
      });
      return Object.keys(rate).length ? rate : null;
    }
    function skuBufferLine(row, entry) {
      const buffer = entry.buffer || {};
      return {
        sku: input(row, 'text', entry.sku, '190px', 'sku'),
        amount: input(
          row,
          'number',
          buffer.units !== undefined ? buffer.units : buffer.percent,
          '80px',
          'bufferValue',
        ).attr('min', 0),
        unit: select(
          row,
          ['units', 'percent'],
          buffer.percent !== undefined ? 'percent' : 'units',
          'bufferUnit.',
          '70px',
        ),
      };
    }
    function readSkuBuffer(fields) {
      const sku = fields.sku.val().trim();
      const amount = fields.amount.val();
      if (!sku && amount === '') return null;
      return compact({ sku: sku, buffer: bufferOf(amount, fields.unit.val()) });
    }

    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

    function supplierRow(container, index, data) {
      const supplier = data.settings || {};
      const stock = supplier.stock || {};
      const buffer = stock.buffer || {};
      container.css('padding', '4px 0');
      const first = line(container);
      const fields = { id: supplierField(first, data.id, '190px', 'supplierId', false) };
      fields.name = labelledInput(first, 'text', supplier.name, '220px', 'supplierName');
      fields.active = $('<input/>', { type: 'checkbox', style: 'width: auto; margin: 4px 0;' })
        .prop('checked', supplier.active !== false)
        .appendTo(cell(first, 'active', '60px'));
      const second = line(container);
      fields.zone = labelledInput(second, 'text', supplier.timeZone, '220px', 'timeZone').attr(
        'list',
        'dropship-router-zones',
      );
      fields.cutoff = labelledInput(second, 'time', supplier.cutoff, '120px', 'cutoff');
      fields.handling = labelledInput(second, 'number', supplier.handlingDays, '110px', 'handlingDays').attr(
        'min',
        0,
      );
      const days = $('<div/>', { style: 'display: flex; align-items: center; flex-wrap: wrap;' }).appendTo(
        cell(line(container), 'shipDays', '100%'),
      );
      const shipDays = supplier.shipDays || WORKING_DAYS;
      fields.days = {};
      for (const day of DAYS) {
        const label = $('<label/>', { style: 'width: auto; margin: 0 12px 0 0;' }).appendTo(days);
        fields.days[day] = $('<input/>', { type: 'checkbox', style: 'width: auto; margin: 0 4px 0 0;' })
          .prop('checked', shipDays.includes(day))
          .appendTo(label);
        label.append(document.createTextNode(t('day.' + day)));
      }
      const third = line(container);
      fields.countries = labelledInput(
        third,
        'text',
        ((supplier.shipsTo && supplier.shipsTo.countries) || []).join(', '),
        '250px',
        'countries',
      );
      fields.exclude = labelledInput(
        third,
        'text',
        ((supplier.shipsTo && supplier.shipsTo.excludeCountries) || []).join(', '),
        '160px',
        'excludeCountries',
      );
      const rates = $('<div/>', { style: 'margin: 0 0 8px 0;' }).appendTo(container);
      $('<div/>').text(t('field.shipping')).attr('title', t('tip.shipping')).appendTo(rates);
      fields.shipping = subTable(rates, 'button.addRate', supplier.shipping || [], shippingRateLine);
      const fourth = line(container);
      const bufferCell = $('<div/>', { style: 'display: flex;' }).appendTo(
        cell(fourth, 'stockBuffer', '170px'),
      );
      fields.buffer = $('<input/>', { type: 'number', min: 0, style: 'width: 90px; margin-right: 4px;' })
        .val(buffer.units !== undefined ? buffer.units : buffer.percent)
        .attr('placeholder', t('placeholder.bufferValue'))
        .appendTo(bufferCell);
      fields.bufferUnit = select(
        bufferCell,
        ['units', 'percent'],
        buffer.percent !== undefined ? 'percent' : 'units',
        'bufferUnit.',
        '70px',
      );
      fields.noFeed = labelledSelect(
        fourth,
        ['default', 'assume_in_stock', 'out_of_stock'],
        stock.whenNoFeed || 'default',
        'whenNoFeed.',
        '250px',
        'noFeed',
      );
      fields.feedEvery = labelledInput(fourth, 'number', stock.feedEveryMinutes, '170px', 'feedEveryMinutes');
      fields.disqualify = labelledInput(
        fourth,
        'number',
        stock.disqualifyAfterMinutes,
        '170px',
        'disqualifyAfterMinutes',
      );
      const buffers = $('<div/>').appendTo(container);
      $('<div/>').text(t('field.skuBuffers')).attr('title', t('tip.skuBuffers')).appendTo(buffers);
      fields.skuBuffers = subTable(buffers, 'button.addSkuBuffer', stock.skuBuffers || [], skuBufferLine);
      container.data('fields', fields);
    }

    function readSupplier(item) {
      const fields = item.data('fields');
      const original = item.data('data').settings || {};
      const days = DAYS.filter((day) => fields.days[day].prop('checked'));
      const shipping = subTableEntries(fields.shipping, readShippingRate);
      const skuBuffers = subTableEntries(fields.skuBuffers, readSkuBuffer);
      const stock = compact({
        ...(original.stock || {}),
        whenNoFeed: fields.noFeed.val() === 'default' ? undefined : fields.noFeed.val(),
        buffer: bufferOf(fields.buffer.val(), fields.bufferUnit.val()),
        feedEveryMinutes: numberOf(fields.feedEvery.val()),
        disqualifyAfterMinutes: numberOf(fields.disqualify.val()),
        skuBuffers: skuBuffers.length ? skuBuffers : undefined,
      });
      const shipsTo = compact({
        countries: listOf(fields.countries.val(), true),
        excludeCountries: listOf(fields.exclude.val(), true),
      });
      return {
        id: fields.id.val().trim(),
        settings: compact({
          ...original,
          name: fields.name.val().trim() || undefined,
          active: fields.active.prop('checked') ? undefined : false,
          timeZone: fields.zone.val().trim() || undefined,
          cutoff: fields.cutoff.val() || undefined,
          handlingDays: numberOf(fields.handling.val()),
          shipDays: days.join() === WORKING_DAYS.join() ? undefined : days,
          shipsTo: Object.keys(shipsTo).length ? shipsTo : undefined,
          shipping: shipping.length ? shipping : undefined,
          stock: Object.keys(stock).length ? stock : undefined,
        }),
      };
    }

    function groupRow(container, index, data) {
      const row = line(container);
      container.data('fields', {
        name: labelledInput(row, 'text', data.name, '170px', 'groupName'),
        members: supplierField(row, (data.members || []).join(', '), '300px', 'members', false),
      });
    }

    function catalogueRow(container, index, entry) {
      const row = line(container);
      const match = entry.match || {};
      const kind = MATCH_KINDS.find((k) => match[k] !== undefined) || 'sku';
      container.data('fields', {
        shownKind: kind,
        supplier: supplierField(row, entry.supplier, '150px', 'supplierId', false),
        kind: labelledSelect(row, MATCH_KINDS, kind, 'matchKind.', '100px', 'matchKind'),
        value: labelledInput(row, 'text', match[kind], '170px', 'matchValue'),
        supplierSku: labelledInput(row, 'text', entry.supplierSku, '130px', 'supplierSku'),
        unitCost: labelledInput(row, 'number', entry.unitCost, '90px', 'unitCost').attr({
          min: 0,
          step: '0.01',
        }),
        dropshipFee: labelledInput(row, 'number', entry.dropshipFee, '90px', 'dropshipFee').attr({
          min: 0,
          step: '0.01',
        }),
      });
    }

    function readCatalogueEntry(item) {
      const fields = item.data('fields');
      const original = item.data('data');
      const kind = fields.kind.val();
      // The shown condition replaces the one it showed; other conditions the entry had are kept.
      const match = { ...(original.match || {}) };
      delete match[fields.shownKind];
      match[kind] = fields.value.val().trim() || undefined;
      return compact({
        supplier: fields.supplier.val().trim(),
        match: compact(match),
        supplierSku: fields.supplierSku.val().trim() || undefined,
        unitCost: numberOf(fields.unitCost.val()),
        dropshipFee: numberOf(fields.dropshipFee.val()),
      });
    }

    function ruleRow(container, index, rule) {
      const match = rule.match || {};
      container.css('padding', '4px 0');
      const first = line(container);
      const fields = { name: labelledInput(first, 'text', rule.name, '230px', 'ruleName') };
      fields.suppliers = supplierField(
        first,
        (rule.suppliers || []).join(', '),
        '250px',
        'ruleSuppliers',
        true,
      );
      fields.fallback = supplierField(first, (rule.fallback || []).join(', '), '190px', 'ruleFallback', true);
      const second = line(container);
      for (const key of ['sku', 'category', 'brand', 'vendor']) {
        fields[key] = labelledInput(second, 'text', match[key], '160px', key);
      }
      const third = line(container);
      fields.countries = labelledInput(
        third,
        'text',
        (match.countries || []).join(', '),
        '180px',
        'regionCountries',
      );
      fields.regions = labelledInput(third, 'text', (match.regions || []).join(', '), '160px', 'regions');
      fields.postalPrefixes = labelledInput(
        third,
        'text',
        (match.postalPrefixes || []).join(', '),
        '200px',
        'postalPrefixes',
      );
      container.data('fields', fields);
    }

    /** A new rule goes above the first catch-all (a rule below one would never fire), else at the end. */
    function addRuleAboveCatchAll() {
      const list = $('#dropship-router-rules');
      const rows = list.editableList('items');
      let at = rows.length;
      rows.each(function (i) {
        if (at === rows.length && isCatchAll(readRule($(this)))) at = i;
      });
      // insertItemAt is in the editor since Node-RED 1.x, missing from its published types.
      /** @type {any} */ (list).editableList('insertItemAt', {}, at);
      edited();
    }

    function readRule(item) {
      const fields = item.data('fields');
      const text = (key) => fields[key].val().trim() || undefined;
      const match = compact({
        sku: text('sku'),
        category: text('category'),
        brand: text('brand'),
        vendor: text('vendor'),
        countries: listOf(fields.countries.val(), true),
        regions: listOf(fields.regions.val(), true),
        postalPrefixes: listOf(fields.postalPrefixes.val(), false),
      });
      return compact({
        name: text('name'),
        match: Object.keys(match).length ? match : undefined,
        suppliers: listOf(fields.suppliers.val(), false) || [],
        fallback: listOf(fields.fallback.val(), false),
      });
    }

    function editableList(id, addItem, items, sortable, options) {
      const list = $('#' + id)
        .css({ 'min-height': '80px', 'min-width': '450px' })
        .editableList({
          addItem: addItem,
          removable: true,
          sortable: sortable,
          height: 'auto',
          ...(options || {}),
        });
      // With height 'auto' the list still keeps the height it had while empty, and taller rows spill over
      // what follows: no fixed height, the list grows with its rows.
      list.editableList('height', 0);
      list.closest('.red-ui-editableList-container').css('height', '');
      items.forEach((item) => list.editableList('addItem', item));
      return list;
    }

    /** Everything the dialog shows, as one routing rules document; what it cannot show is kept unchanged. */
    function readRules(original) {
      const rules = { ...original };
      rules.strategy = $('#dropship-router-strategy').val();
      rules.split = $('#dropship-router-split').val();
      if (rules.strategy === 'best_score') {
        const weights = {};
        for (const key of Object.keys(WEIGHTS)) {
          const value = numberOf($('#dropship-router-weight-' + key).val());
          if (value !== undefined) weights[key] = value;
        }
        rules.weights = Object.keys(weights).length ? weights : undefined;
      }
      const suppliers = {};
      $('#dropship-router-suppliers')
        .editableList('items')
        .each(function () {
          const supplier = readSupplier($(this));
          if (supplier.id) suppliers[supplier.id] = supplier.settings;
        });
      rules.suppliers = Object.keys(suppliers).length ? suppliers : undefined;
      const groups = {};
      $('#dropship-router-groups')
        .editableList('items')
        .each(function () {
          const fields = $(this).data('fields');
          const name = fields.name.val().trim();
          if (name) groups[name] = listOf(fields.members.val(), false) || [];
        });
      rules.groups = Object.keys(groups).length ? groups : undefined;
      const catalogue = [];
      $('#dropship-router-catalogue')
        .editableList('items')
        .each(function () {
          catalogue.push(readCatalogueEntry($(this)));
        });
      rules.catalogue = catalogue.length ? catalogue : undefined;
      const ruleList = [];
      $('#dropship-router-rules')
        .editableList('items')
        .each(function () {
          ruleList.push(readRule($(this)));
        });
      rules.rules = ruleList.length ? ruleList : undefined;
      rules.fallback = listOf($('#dropship-router-fallback').val(), false);
      const skuBuffers = subTableEntries(
        $('#dropship-router-sku-buffers').children('.dropship-router-subtable'),
        readSkuBuffer,
      );
      const stock = compact({
        ...(original.stock || {}),
        whenNoFeed: $('#dropship-router-no-feed').val(),
        buffer: bufferOf($('#dropship-router-buffer').val(), $('#dropship-router-buffer-unit').val()),
        feedEveryMinutes: numberOf($('#dropship-router-feed-every').val()),
        disqualifyAfterMinutes: numberOf($('#dropship-router-disqualify').val()),
        skuBuffers: skuBuffers.length ? skuBuffers : undefined,
      });
      if (stock.whenNoFeed === 'assume_in_stock') delete stock.whenNoFeed;
      rules.stock = Object.keys(stock).length ? stock : undefined;
      return compact(rules);
    }

    /** The server's verdict on the rules (schema, ISO country codes, time zones), shown under "Check and try". */
    function showProblems(problems) {
      const box = $('#dropship-router-problems').empty();
      if (problems.length === 0) {
        box.append($('<span/>').text(t('tip.valid')));
        return;
      }
      const list = $('<ul/>').appendTo(box);
      for (const problem of problems) $('<li/>').text(problem).appendTo(list);
    }
    function problemsOf(xhr) {
      const error = xhr.responseJSON && xhr.responseJSON.error;
      if (error && error.details && error.details.length) {
        return error.details.map((d) => (d.path ? d.path + ': ' : '') + d.message);
      }
      return [error ? error.message : t('errors.previewUnavailable', { status: xhr.status })];
    }

    function showDecision(decision) {
      const summary = $('#dropship-router-preview-decision').empty();
      for (const assignment of decision.assignments) {
        const text = t('preview.assigned', {
          lines: assignment.lines.map((l) => l.sku + ' x' + l.quantity).join(', '),
          supplier: assignment.supplierId,
          reason: assignment.reason,
        });
        const alternatives = assignment.alternatives.length
          ? ' (' + t('preview.alternatives', { alternatives: assignment.alternatives.join(', ') }) + ')'
          : '';
        $('<li/>')
          .append($('<i class="fa fa-check"></i> '))
          .append($('<span/>').text(' ' + text + alternatives))
          .appendTo(summary);
      }
      for (const line of decision.unrouted) {
        const text = t('preview.unrouted', { line: line.orderLineId, sku: line.sku, reason: line.reason });
        $('<li/>')
          .append($('<i class="fa fa-exclamation-triangle"></i> '))
          .append($('<span/>').text(' ' + text))
          .appendTo(summary);
      }
      const explanation = $('#dropship-router-preview-explanation').empty();
      for (const sentence of decision.explanation) $('<li/>').text(sentence).appendTo(explanation);
      $('#dropship-router-preview-result').show();
    }

    /** @this {EditorNode} */
    function prepare() {
      const node = this;
      const original = node.rules && typeof node.rules === 'object' ? node.rules : {};
      const zoneList = $('#dropship-router-zones');
      for (const zone of zones) $('<option/>').val(zone).appendTo(zoneList);
      const supplierList = $('#dropship-router-supplier-ids');
      for (const supplier of DropshipEditor.configuredSuppliers()) {
        $('<option/>').val(supplier.id).text(supplier.label).appendTo(supplierList);
      }

      $('#dropship-router-strategy')
        .val(original.strategy || 'priority')
        .on('change', function () {
          const strategy = $(this).val();
          $('#dropship-router-strategy-tip').text(t('strategyTip.' + strategy));
          $('#dropship-router-weights').toggle(strategy === 'best_score');
        })
        .trigger('change');
      for (const key of Object.keys(WEIGHTS)) {
        const weights = original.weights || {};
        $('#dropship-router-weight-' + key).val(weights[key] !== undefined ? weights[key] : WEIGHTS[key]);
      }
      $('#dropship-router-split').val(original.split || 'when_needed');

      editableList(
        'dropship-router-suppliers',
        supplierRow,
        Object.entries(original.suppliers || {}).map(([id, settings]) => ({ id: id, settings: settings })),
        false,
      );
      editableList(
        'dropship-router-groups',
        groupRow,
        Object.entries(original.groups || {}).map(([name, members]) => ({ name: name, members: members })),
        false,
      );
      editableList('dropship-router-catalogue', catalogueRow, original.catalogue || [], false);
      editableList('dropship-router-rules', ruleRow, original.rules || [], true, {
        addButton: false,
        buttons: [
          {
            id: 'dropship-router-add-rule',
            label: t('button.addRule'),
            icon: 'fa fa-plus',
            click: addRuleAboveCatchAll,
          },
        ],
      });
      const fallback = $('#dropship-router-fallback')
        .val((original.fallback || []).join(', '))
        .addClass('dropship-router-supplier-field')
        .data('groupsAllowed', true)
        .on('input change', () => markUnknownSuppliers(fallback));
      $('<div/>', {
        class: 'dropship-router-field-problem',
        style: 'color: var(--red-ui-text-color-error, #c00); font-size: 0.85em; margin-left: 105px;',
      })
        .hide()
        .insertAfter(fallback);
      markUnknownSuppliers(fallback);

      const stock = original.stock || {};
      $('#dropship-router-no-feed').val(stock.whenNoFeed || 'assume_in_stock');
      const buffer = stock.buffer || {};
      $('#dropship-router-buffer').val(buffer.units !== undefined ? buffer.units : buffer.percent);
      $('#dropship-router-buffer-unit').val(buffer.percent !== undefined ? 'percent' : 'units');
      $('#dropship-router-feed-every').val(stock.feedEveryMinutes);
      $('#dropship-router-disqualify').val(stock.disqualifyAfterMinutes);
      subTable(
        $('#dropship-router-sku-buffers'),
        'button.addSkuBuffer',
        stock.skuBuffers || [],
        skuBufferLine,
      );

      // Every change is checked by the runtime's own parser, so the messages are the ones deploy would give.
      let pending = null;
      function check() {
        clearTimeout(pending);
        pending = setTimeout(function () {
          const rules = readRules(original);
          const local = rulesProblems(rules);
          if (local.length > 0) return showProblems(local);
          $.ajax({
            url: 'dropship/router/validate',
            method: 'POST',
            contentType: 'application/json',
            data: JSON.stringify({ rules: rules, suppliers: [...configuredIds()] }),
          }).then(
            () => showProblems([]),
            (xhr) => showProblems(problemsOf(xhr)),
          );
        }, 400);
      }
      $('#dialog-form').on('change keyup input', 'input, select', check).on('dropship-router-edited', check);
      // A group renamed or added changes which names the rule fields accept.
      $('#dropship-router-groups').on('change keyup', 'input', function () {
        $('.dropship-router-supplier-field').each(function () {
          markUnknownSuppliers($(this));
        });
      });
      check();

      const sample = $('#dropship-router-sample');
      let samplesAsked = 0;
      function loadSamples() {
        // Only the answer to the latest question fills the list (the store field changes as it loads).
        const asked = ++samplesAsked;
        $.getJSON('dropship/router/orders', { store: $('#node-input-store').val() }).then(function (answer) {
          if (asked !== samplesAsked) return;
          sample.empty().append($('<option value=""></option>').text(t('field.pickOrder')));
          if (answer.orders.length === 0) {
            sample.append($('<option value="" disabled></option>').text(t('field.noSampleOrders')));
          }
          for (const order of answer.orders) {
            const label =
              (order.orderNumber || order.id) +
              ' · ' +
              order.state +
              ' · ' +
              order.country +
              ' · ' +
              order.skus.join(', ');
            $('<option/>').val(order.id).text(label).appendTo(sample);
          }
        });
      }
      $('#node-input-store').on('change', loadSamples);
      loadSamples();

      $('#dropship-router-preview-button').on('click', function () {
        // The preview's answer is the latest word: a live check still waiting would overwrite it.
        clearTimeout(pending);
        const request = {
          rules: readRules(original),
          suppliers: [...configuredIds()],
          store: $('#node-input-store').val(),
        };
        const pasted = String($('#dropship-router-order').val()).trim();
        if (sample.val()) request.orderId = sample.val();
        else if (pasted) {
          try {
            request.order = JSON.parse(pasted);
          } catch (err) {
            return showProblems([t('errors.orderNotJson', { message: err.message })]);
          }
        } else return showProblems([t('errors.noOrder')]);
        $.ajax({
          url: 'dropship/router/preview',
          method: 'POST',
          contentType: 'application/json',
          data: JSON.stringify(request),
        }).then(
          (answer) => showDecision(answer.decision),
          (xhr) => {
            $('#dropship-router-preview-result').hide();
            showProblems(problemsOf(xhr));
          },
        );
      });
    }
    /** @this {EditorNode} */
    function save() {
      const original = this.rules && typeof this.rules === 'object' ? this.rules : {};
      this.rules = readRules(original);
    }
    return { rulesProblems, prepare, save };
  };
})(this);
