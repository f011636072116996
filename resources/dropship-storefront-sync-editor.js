// @ts-check
/**
 * The editor logic of the dropship-storefront-sync dialog, typed and linted here; nodes/storefront-sync/storefront-sync.html
 * keeps the wiring (RED.nodes.registerType with its defaults) and calls DropshipEditor.storefrontSync(t). Loaded after
 * dropship-editor.js.
 */
(function (global) {
  'use strict';

  // Node-RED may run this before dropship-editor.js (the scripts of a .html load side by side).
  global.DropshipEditor = global.DropshipEditor || {};
  /** @param {(key: string, options?: Record<string, unknown>) => string} t the node's message lookup */
  global.DropshipEditor.storefrontSync = function (t) {
    // Validators take (value, opt): in that two-argument form Node-RED shows the sentence they return.
    const OUTPUTS = ['result', 'exceptions'];
    const ROUNDINGS = ['none', 'cent99', 'cent95', 'whole'];
    const PRICE_FIELDS = [
      'name',
      'supplier',
      'brand',
      'category',
      'sku',
      'markup',
      'fixed',
      'rounding',
      'minMargin',
      'compareAtMarkup',
    ];

    /** The same reading of the map as the runtime's: a header with variant, supplier and supplier_sku. */
    function mapProblem(text) {
      if (!text || !text.trim()) return undefined;
      const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
      const header = lines[0].split(',').map((n) =>
        n
          .trim()
          .toLowerCase()
          .replace(/[\s-]+/g, '_'),
      );
      const column = (...names) => header.findIndex((n) => names.includes(n));
      const columns = [
        column('variant', 'sku', 'variant_sku', 'variant_id'),
        column('supplier', 'supplier_id'),
        column('supplier_sku', 'supplier_part', 'part_number'),
      ];
      if (columns.some((c) => c < 0))
        return 'line 1: the header needs variant, supplier and supplier_sku columns';
      for (let i = 1; i < lines.length; i++) {
        if (!lines[i].trim()) continue;
        const fields = lines[i].split(',').map((f) => f.trim());
        const names = ['variant', 'supplier', 'supplier_sku'];
        for (let c = 0; c < 3; c++)
          if (!fields[columns[c]]) return 'line ' + (i + 1) + ': ' + names[c] + ' is empty';
      }
      return undefined;
    }

    /** Rows of a table are valid when every number is a number and every price rule has a markup. */
    function rowsProblem(rows, numberFields, markupRequired) {
      for (let i = 0; i < (rows || []).length; i++) {
        const row = rows[i];
        if (markupRequired && !(Number(row.markup) > 0)) return t('errors.markup', { row: i + 1 });
        for (const field of numberFields) {
          const value = row[field];
          if (value !== undefined && String(value).trim() !== '' && !(Number(value) >= 0)) {
            return t('errors.number', { field: t('column.' + field) + ' (' + (i + 1) + ')', min: 0 });
          }
        }
      }
      return true;
    }

    function validateStore(v, opt) {
      return v && v !== '_ADD_' && RED.nodes.node(v) ? true : t('errors.storeMissing');
    }

    function validateStorefront(v, opt) {
      return v && v !== '_ADD_' && RED.nodes.node(v) ? true : t('errors.storefrontMissing');
    }

    function validateMap(v, opt) {
      const problem = mapProblem(v);
      return problem ? t('errors.map', { reason: problem }) : true;
    }

    function validateLimits(v, opt) {
      return rowsProblem(v, ['floor', 'ceiling'], false);
    }

    function validatePriceRules(v, opt) {
      return rowsProblem(v, ['markup', 'fixed', 'minMargin', 'compareAtMarkup'], true);
    }

    /** @this {EditorNode} */
    function label() {
      return this.name || t('paletteLabel');
    }

    /** @param {number} index */
    function outputLabel(index) {
      return t('outputs.' + OUTPUTS[index]);
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

      function cell(row, field, value, width) {
        return $('<input/>', {
          type: 'text',
          style: 'width: ' + width + '; margin: 0 4px 4px 0;',
          placeholder: t('column.' + field),
        })
          .val(value === undefined || value === null ? '' : value)
          .appendTo(row);
      }
      function list(id, build, rows) {
        const element = $('#' + id)
          .css({ 'min-height': '80px', 'min-width': '450px' })
          .editableList({
            addItem: build,
            removable: true,
            sortable: true,
            height: 'auto',
          });
        element.editableList('height', 0);
        element.closest('.red-ui-editableList-container').css('height', '');
        (rows || []).forEach((row) => element.editableList('addItem', row));
      }
      list(
        'dropship-storefront-sync-limits',
        function (row, index, data) {
          row.data('fields', {
            sku: cell(row, 'sku', data.sku, '40%'),
            floor: cell(row, 'floor', data.floor, '22%'),
            ceiling: cell(row, 'ceiling', data.ceiling, '22%'),
          });
        },
        node.limits,
      );
      list(
        'dropship-storefront-sync-price-rules',
        function (row, index, data) {
          /** @type {Record<string, JQuery>} */
          const fields = {};
          for (const field of PRICE_FIELDS) {
            if (field === 'rounding') {
              fields.rounding = $('<select/>', { style: 'width: 22%; margin: 0 4px 4px 0;' }).appendTo(row);
              for (const value of ROUNDINGS)
                $('<option/>')
                  .val(value)
                  .text(t('rounding.' + value))
                  .appendTo(fields.rounding);
              fields.rounding.val(data.rounding || 'none');
            } else {
              fields[field] = cell(
                row,
                field,
                field === 'markup' && data.markup === undefined ? 2 : data[field],
                field === 'name' ? '30%' : '18%',
              );
            }
          }
          row.data('fields', fields);
        },
        node.priceRules,
      );

      $('#dropship-storefront-sync-preview').on('click', function () {
        const result = $('#dropship-storefront-sync-preview-result').text('…');
        $.getJSON('dropship/storefront-sync/preview', { node: node.id }).then(
          function (answer) {
            const lines =
              answer.changes === 0
                ? [t('preview.none')]
                : [t('preview.summary', { changes: answer.changes, variants: answer.variants })].concat(
                    answer.first,
                  );
            if (answer.unmatchedVariants.length)
              lines.push('', t('preview.unmatched'), answer.unmatchedVariants.join(', '));
            if (answer.unmappedItems.length)
              lines.push('', t('preview.unmapped'), answer.unmappedItems.join(', '));
            result.text(lines.join('\n'));
          },
          function (xhr) {
            const error = xhr.responseJSON && xhr.responseJSON.error;
            result.text(
              xhr.status === 404 ? t('preview.deployFirst') : error ? error.message : xhr.statusText,
            );
          },
        );
      });
    }

    /** @this {EditorNode} */
    function save() {
      const read = (id) =>
        $('#' + id)
          .editableList('items')
          .toArray()
          .map(function (item) {
            const fields = $(item).data('fields');
            /** @type {Record<string, string>} */
            const row = {};
            for (const key of Object.keys(fields)) {
              const value = String(fields[key].val()).trim();
              if (value !== '') row[key] = value;
            }
            return row;
          });
      this.limits = read('dropship-storefront-sync-limits').filter((row) => row.sku);
      this.priceRules = read('dropship-storefront-sync-price-rules');
    }
    return {
      validateStore,
      validateStorefront,
      validateMap,
      validateLimits,
      validatePriceRules,
      label,
      outputLabel,
      prepare,
      save,
    };
  };
})(this);
