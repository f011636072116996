// @ts-check
/**
 * Editor helpers shared by the node-red-contrib-dropship edit dialogs. Node-RED serves this folder to the editor
 * as resources/@node-red-contrib-dropship/node-red-contrib-dropship/; each node's .html loads it with a <script src> tag before its own
 * script, so `DropshipEditor` is defined when the node types register.
 */
(function (global) {
  'use strict';

  /** The value of a dialog input when that dialog is open (checkboxes as booleans), else undefined. */
  function inputValue(id) {
    const input = $('#' + id);
    if (!input.length) return undefined;
    return input.attr('type') === 'checkbox' ? input.prop('checked') : input.val();
  }

  // A whole-value ${NAME} is replaced by Node-RED with that environment variable when the flow starts.
  const ENV_PLACEHOLDER = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
  const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
  const ERROR_STYLE = 'color: var(--red-ui-text-color-error, #c00); margin-top: 2px;';

  /**
   * The settings form of a connector's JSON Schema (a supplier's connection, a carrier's tracking API): fields for
   * what the schema describes, each checked as the operator types, and the same checks for a saved node. `t` is
   * the node's message lookup; its catalogue has the errors.setting*, tip.list, placeholder.list|mapName|mapValue
   * and button.add|remove messages.
   */
  function settingsForm(t) {
    // ---- The schema, read as a form ---------------------------------------------------------------------------

    /** "postalCode" -> "Postal code": a readable name for schema properties without a title. */
    function titleOf(key, prop) {
      if (prop.title) return prop.title;
      const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
    function joinLabel(parent, label) {
      return parent ? parent + ' › ' + label : label;
    }

    /** The property of each oneOf variant fixed by "const" (e.g. transport "type"), when the variants have one. */
    /**
     * The property whose `const` tells a oneOf's variants apart, if every variant has one.
     * @returns {string | undefined}
     */
    function discriminatorOf(prop) {
      if (!Array.isArray(prop.oneOf) || !prop.oneOf.every((v) => v.properties)) return undefined;
      const first = prop.oneOf[0];
      return Object.keys(first.properties).find((key) =>
        prop.oneOf.every((v) => isObject(v.properties[key]) && 'const' in v.properties[key]),
      );
    }

    /** How a schema property is edited; what the form cannot show as fields is edited as JSON text. */
    function kindOf(prop) {
      if (Array.isArray(prop.enum)) return 'enum';
      if (discriminatorOf(prop)) return 'variants';
      if (prop.type === 'boolean') return 'boolean';
      if (prop.type === 'integer' || prop.type === 'number') return 'number';
      if (prop.type === 'string') return 'string';
      if (prop.type === 'array' && prop.items && prop.items.type === 'string') return 'list';
      if (prop.type === 'array' && prop.items && prop.items.type === 'object' && prop.items.properties)
        return 'table';
      if (prop.type === 'object' && prop.properties) return 'group';
      if (prop.type === 'object' && prop.additionalProperties && prop.additionalProperties.type === 'string')
        return 'map';
      return 'json';
    }

    function isObject(value) {
      return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
    }

    function variantOf(prop, value) {
      const key = /** @type {string} */ (discriminatorOf(prop));
      return prop.oneOf.find((v) => isObject(value) && v.properties[key].const === value[key]);
    }

    /** The reason a single value is not acceptable, in words an operator can act on; undefined when it is fine. */
    function leafProblem(field, prop, value) {
      if (typeof value === 'string' && ENV_PLACEHOLDER.test(value)) return undefined;
      switch (kindOf(prop)) {
        case 'enum':
          return prop.enum.includes(value)
            ? undefined
            : t('errors.settingChoice', { field, values: prop.enum.map(enumText).join(', ') });
        case 'boolean':
          return typeof value === 'boolean' ? undefined : t('errors.settingBoolean', { field });
        case 'number': {
          const whole = prop.type === 'integer';
          if (typeof value !== 'number' || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
            return t(whole ? 'errors.settingInteger' : 'errors.settingNumber', { field });
          }
          const min = prop.minimum !== undefined ? prop.minimum : -Infinity;
          const max = prop.maximum !== undefined ? prop.maximum : Infinity;
          return value < min || value > max ? t('errors.settingRange', { field, min, max }) : undefined;
        }
        case 'string':
          if (typeof value !== 'string') return t('errors.settingText', { field });
          if (prop.minLength && value.length < prop.minLength) return t('errors.settingRequired', { field });
          if (prop.maxLength && value.length > prop.maxLength)
            return t('errors.settingTooLong', { field, max: prop.maxLength });
          if (prop.format === 'email' && !EMAIL.test(value)) return t('errors.settingEmail', { field });
          // A path ("/example/supplier/orders") names an endpoint of this same Node-RED; the runtime completes it.
          if (prop.format === 'uri' && /^\/(?!\/)\S*$/.test(value)) return undefined;
          if (prop.format === 'uri' && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value))
            return t('errors.settingUri', { field });
          if (prop.pattern && !new RegExp(prop.pattern, 'u').test(value)) {
            return prop.format === 'uri'
              ? t('errors.settingUri', { field })
              : t('errors.settingPattern', { field, pattern: prop.pattern });
          }
          return undefined;
        case 'list':
          return Array.isArray(value) && value.every((v) => typeof v === 'string')
            ? undefined
            : t('errors.settingList', { field });
        case 'map': {
          if (!isObject(value)) return t('errors.settingGroup', { field });
          const names =
            prop.propertyNames && prop.propertyNames.pattern
              ? new RegExp(prop.propertyNames.pattern, 'u')
              : null;
          const bad = Object.keys(value).find(
            (name) =>
              (names && !names.test(name)) || leafProblem(name, prop.additionalProperties, value[name]),
          );
          return bad === undefined ? undefined : t('errors.settingEntry', { field, name: bad });
        }
        default:
          if (typeof value === 'string') return t('errors.settingJson', { field });
          return prop['x-template-fields']
            ? templateFieldProblem(field, prop['x-template-fields'], value)
            : undefined;
      }
    }

    /**
     * The first placeholder of a request template that names no field the connector offers (`x-template-fields`
     * in its schema: a misspelling such as {{po.numbr}}, or line.* outside "$each"), or a field the connector
     * refuses (`catalogue`); the same check the runtime makes when the supplier is deployed.
     */
    function templateFieldProblem(field, fields, template) {
      const names = Object.keys(fields);
      const known = (name, inLine) =>
        (inLine || !/^line(\.|$)/.test(name)) &&
        (name in fields || names.some((known) => known.startsWith(name + '.')));
      function walk(value, at, inLine) {
        if (typeof value === 'string') {
          for (const match of value.matchAll(/\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g)) {
            const name = match[1];
            if (!known(name, inLine)) return t('errors.settingTemplateField', { field, name, at: at || '/' });
            if (fields[name] === 'catalogue')
              return t('errors.settingTemplateCatalogue', { field, name, at: at || '/' });
          }
          return undefined;
        }
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            const problem = walk(value[i], at + '/' + i, inLine);
            if (problem) return problem;
          }
          return undefined;
        }
        if (!isObject(value)) return undefined;
        if ('$each' in value) {
          if (fields[String(value.$each)] !== 'list')
            return t('errors.settingTemplateField', { field, name: String(value.$each), at: at + '/$each' });
          return walk(value.$item, at + '/$item', true);
        }
        for (const [key, item] of Object.entries(value)) {
          const problem = walk(item, at + '/' + key, inLine);
          if (problem) return problem;
        }
        return undefined;
      }
      return walk(template, '', false);
    }

    /** Every problem of a value against its schema, each naming the field by its path of titles. */
    function valueProblems(field, prop, value, required) {
      if (value === undefined) return required ? [t('errors.settingRequired', { field })] : [];
      switch (kindOf(prop)) {
        case 'group':
          return groupProblems(field, prop, value);
        case 'variants': {
          const variant = variantOf(prop, value);
          if (!variant)
            return [t('errors.settingChoice', { field, values: prop.oneOf.map((v) => v.title).join(', ') })];
          return groupProblems(field, variant, value);
        }
        case 'table': {
          if (!Array.isArray(value)) return [t('errors.settingList', { field })];
          const problems =
            prop.minItems && value.length < prop.minItems
              ? [t('errors.settingMinItems', { field, count: prop.minItems })]
              : [];
          value.forEach((item, i) =>
            problems.push(...groupProblems(field + ' ' + (i + 1), prop.items, item)),
          );
          return problems;
        }
        default: {
          const problem = leafProblem(field, prop, value);
          return problem ? [problem] : [];
        }
      }
    }

    /** An object's fields, plus "fill in exactly one of" rules written as oneOf of required sets. */
    function groupProblems(field, schema, value) {
      if (!isObject(value)) return [t('errors.settingGroup', { field })];
      const required = schema.required || [];
      const problems = [];
      for (const [key, sub] of Object.entries(schema.properties || {})) {
        // Fixed values are set by the form; boolean schemas (true) accept anything.
        if (!isObject(sub) || 'const' in sub) continue;
        problems.push(
          ...valueProblems(joinLabel(field, titleOf(key, sub)), sub, value[key], required.includes(key)),
        );
      }
      const oneOf = oneOfProblem(field, schema, value);
      if (oneOf) problems.push(oneOf);
      return problems;
    }

    /** A "fill in exactly one of" rule, written in JSON Schema as oneOf of required sets (e.g. CSV column field | value). */
    function oneOfProblem(field, schema, value) {
      const alternatives = discriminatorOf(schema)
        ? []
        : (schema.oneOf || []).filter((v) => Array.isArray(v.required));
      if (alternatives.length === 0) return undefined;
      const met = alternatives.filter((v) => v.required.every((key) => value[key] !== undefined)).length;
      if (met === 1) return undefined;
      const options = alternatives.map((v) =>
        v.required.map((key) => titleOf(key, (schema.properties || {})[key] || {})).join(' + '),
      );
      return t('errors.settingOneOf', { field, options: options.join(' | ') });
    }

    function enumText(value) {
      return typeof value === 'string' && /^\s$/.test(value) ? JSON.stringify(value) : String(value);
    }

    function sameValue(a, b) {
      return JSON.stringify(a) === JSON.stringify(b);
    }

    // ---- Form fields: each knows how to show, read and check its part of the settings ----------------------

    /**
     * A field for one schema property. read() gives the value as the connector expects it, or undefined for an
     * optional field left empty or at its default, so the saved settings hold only what the operator chose and
     * the connector's defaults apply to the rest; check(active) marks problems next to the field, only while
     * the field counts (not inside an optional group left empty).
     */
    function createField(key, prop, value, required, parent) {
      // Where the field is: its titles for messages, its key path (e.g. "transport.host") for the page.
      const at = {
        label: joinLabel(parent.label, titleOf(key, prop)),
        path: parent.path ? parent.path + '.' + key : key,
      };
      const kind = kindOf(prop);
      if (kind === 'group') return createGroup(at, prop, value, required);
      if (kind === 'variants') return createVariants(at, prop, value, required);
      if (kind === 'table') return createTable(at, prop, value, required);
      if (kind === 'map') return createMap(at, prop, value, required);
      return createLeaf(at, titleOf(key, prop), prop, value, required);
    }

    function labelFor(text, required) {
      const label = $('<label style="width: auto; display: block; margin-bottom: 2px;"></label>').text(text);
      if (required) label.append(' <span style="color: var(--red-ui-text-color-error, #c00);">*</span>');
      return label;
    }

    let inputCount = 0;
    function createLeaf(at, title, prop, value, required) {
      const label = at.label;
      const kind = kindOf(prop);
      const row = $('<div class="form-row"></div>');
      let input;
      if (kind === 'enum') {
        input = $('<select style="width: 100%;"></select>');
        if (!required && prop.default === undefined) $('<option value=""></option>').appendTo(input);
        prop.enum.forEach((v, i) => $('<option></option>').val(String(i)).text(enumText(v)).appendTo(input));
      } else if (kind === 'boolean') {
        input = $('<input type="checkbox" style="width: auto; margin: 0 6px 0 0;">');
      } else if (kind === 'number') {
        input = $('<input type="number" style="width: 100%;">');
        if (prop.minimum !== undefined) input.attr('min', prop.minimum);
        if (prop.maximum !== undefined) input.attr('max', prop.maximum);
        if (prop.type === 'integer') input.attr('step', 1);
      } else if (kind === 'json' || (kind === 'string' && (prop.maxLength || 0) > 500)) {
        input = $('<textarea rows="5" style="width: 100%;"></textarea>');
        if (kind === 'json') input.css('font-family', 'monospace').attr('placeholder', '{ }');
      } else {
        input = $('<input type="text" style="width: 100%;">');
        if (kind === 'list') input.attr('placeholder', t('placeholder.list'));
        else if (prop.format === 'uri') input.attr('placeholder', 'https://');
        else if (prop.format === 'email') input.attr('placeholder', 'name@example.com');
      }
      input.attr({ id: 'dropship-setting-' + ++inputCount, 'data-setting': at.path });
      if (kind === 'boolean')
        row.append($('<label style="width: auto;"></label>').text(title).prepend(input));
      else row.append(labelFor(title, required).attr('for', String(input.attr('id'))), input);
      const shown = value !== undefined ? value : prop.default;
      if (shown !== undefined) {
        if (kind === 'boolean') input.prop('checked', shown === true);
        else if (kind === 'enum') input.val(String(prop.enum.indexOf(shown)));
        else if (kind === 'list') input.val(Array.isArray(shown) ? shown.join(', ') : String(shown));
        else if (kind === 'json')
          input.val(typeof shown === 'string' ? shown : JSON.stringify(shown, null, 2));
        else input.val(String(shown));
      }
      if (prop.description)
        $('<div class="form-tips" style="margin-top: 4px;"></div>').text(prop.description).appendTo(row);
      const problemLine = $('<div></div>').attr('style', ERROR_STYLE).hide().appendTo(row);

      function read() {
        const value = typed();
        return !required && value !== undefined && sameValue(value, prop.default) ? undefined : value;
      }
      function typed() {
        if (kind === 'boolean') return input.prop('checked');
        const raw = String(input.val() || '');
        if (raw.trim() === '') return undefined;
        if (kind === 'enum') return prop.enum[Number(raw)];
        if (kind === 'number') return ENV_PLACEHOLDER.test(raw.trim()) ? raw.trim() : Number(raw);
        if (kind === 'list')
          return raw
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean);
        if (kind === 'json') {
          try {
            return JSON.parse(raw);
          } catch {
            return raw; // kept as text so the check reports it
          }
        }
        return kind === 'string' && !(prop.maxLength > 500) ? raw.trim() : raw;
      }
      function check(active) {
        const current = typed();
        const problem = !active
          ? undefined
          : current === undefined
            ? required
              ? t('errors.settingRequired', { field: label })
              : undefined
            : leafProblem(label, prop, current);
        input.toggleClass('input-error', Boolean(problem));
        problemLine.text(problem || '').toggle(Boolean(problem));
      }
      return { element: row, read, check };
    }

    function groupBox(title, required) {
      const box = $(
        '<fieldset style="border: 1px solid var(--red-ui-secondary-border-color, #ccc); padding: 6px 10px 0; margin: 0 0 12px;"></fieldset>',
      );
      $(
        '<legend style="width: auto; border: none; margin: 0; padding: 0 4px; font-size: inherit; font-weight: bold; line-height: inherit;"></legend>',
      )
        .text(title)
        .append(required ? ' <span style="color: var(--red-ui-text-color-error, #c00);">*</span>' : '')
        .appendTo(box);
      return box;
    }

    /** The fields of an object schema; used for the whole settings, nested objects, variants and table rows. */
    function createFields(container, schema, values, at) {
      const required = schema.required || [];
      const fields = [];
      for (const [key, prop] of Object.entries(schema.properties || {})) {
        if (!isObject(prop) || 'const' in prop) continue;
        const field = createField(
          key,
          prop,
          isObject(values) ? values[key] : undefined,
          required.includes(key),
          at,
        );
        field.key = key;
        container.append(field.element);
        fields.push(field);
      }
      const problemLine = $('<div></div>').attr('style', ERROR_STYLE).hide().appendTo(container);
      return {
        fields,
        read() {
          const value = {};
          for (const field of fields) {
            // A field of another choice (settingConditions) is neither shown nor saved.
            if (field.hidden) continue;
            const v = field.read();
            if (v !== undefined) value[field.key] = v;
          }
          return value;
        },
        check(active, value) {
          fields.forEach((field) => field.check(active && !field.hidden));
          // Only the "one of" rule is the group's own; field problems are shown at each field.
          const problem = active ? oneOfProblem(at.label, schema, value) : undefined;
          problemLine.text(problem || '').toggle(Boolean(problem));
        },
      };
    }

    function createGroup(at, prop, value, required) {
      const box = groupBox(at.label.split(' › ').pop(), required);
      const fields = createFields(box, prop, value, at);
      function read() {
        const v = fields.read();
        // An optional group nobody filled in stays out, so the connector does not see half a section.
        return !required && Object.keys(v).length === 0 ? undefined : v;
      }
      return {
        element: box,
        read,
        check(active) {
          const v = read();
          fields.check(active && v !== undefined, v);
        },
      };
    }

    function createVariants(at, prop, value, required) {
      const key = /** @type {string} */ (discriminatorOf(prop));
      const box = groupBox(at.label.split(' › ').pop(), required);
      const select = $('<select style="width: 100%; margin-bottom: 10px;"></select>')
        .attr('data-setting', at.path + '.' + key)
        .appendTo(box);
      prop.oneOf.forEach((v, i) =>
        $('<option></option>')
          .val(String(i))
          .text(v.title || String(v.properties[key].const))
          .appendTo(select),
      );
      const body = $('<div></div>').appendTo(box);
      const typed = {}; // values per variant while the dialog is open
      let chosen = Math.max(0, prop.oneOf.indexOf(variantOf(prop, value)));
      let fields = null;
      function show(index) {
        if (fields) typed[chosen] = fields.read();
        chosen = index;
        body.empty();
        const variant = prop.oneOf[index];
        const start = typed[index] || (variant === variantOf(prop, value) ? value : {});
        fields = createFields(body, variant, start, at);
      }
      // The change event bubbles to the form, which then checks the new variant's fields.
      select.val(String(chosen)).on('change', () => show(Number(select.val())));
      show(chosen);
      function read() {
        const variant = prop.oneOf[chosen];
        return { [key]: variant.properties[key].const, ...fields.read() };
      }
      return {
        element: box,
        read,
        check(active) {
          fields.check(active, read());
        },
      };
    }

    function createTable(at, prop, value, required) {
      const label = at.label;
      const box = groupBox(label.split(' › ').pop(), required);
      const rows = $('<div></div>').appendTo(box);
      const entries = [];
      const problemLine = $('<div></div>').attr('style', ERROR_STYLE).hide();
      function addRow(item) {
        // One line per item: its fields side by side, then the remove button.
        const row = $(
          '<div style="border-bottom: 1px dashed var(--red-ui-secondary-border-color, #ccc); margin-bottom: 8px;"></div>',
        ).appendTo(rows);
        const line = $('<div style="display: flex; gap: 6px; align-items: flex-start;"></div>').appendTo(row);
        const entry = { row, fields: null };
        entry.fields = createFields(line, prop.items, item || {}, {
          label: label + ' ' + (entries.length + 1),
          path: at.path + '.' + entries.length,
        });
        line.children('.form-row').css({ flex: '1 1 0', 'min-width': 0, 'margin-bottom': '6px' });
        // The "fill in one of" message of the item goes under the whole line.
        line.children().last().appendTo(row);
        $(
          '<button type="button" class="red-ui-button red-ui-button-small" style="margin-top: 20px;"><i class="fa fa-times"></i></button>',
        )
          .attr('title', t('button.remove'))
          .on('click', () => {
            entries.splice(entries.indexOf(entry), 1);
            row.remove();
            box.trigger('dropship-settings-edited');
          })
          .appendTo(line);
        entries.push(entry);
      }
      (Array.isArray(value) ? value : Array.isArray(prop.default) ? prop.default : []).forEach(addRow);
      $(
        '<button type="button" class="red-ui-button red-ui-button-small" style="margin-bottom: 8px;"><i class="fa fa-plus"></i> </button>',
      )
        .append($('<span></span>').text(t('button.add')))
        .on('click', () => {
          addRow({});
          box.trigger('dropship-settings-edited');
        })
        .appendTo(box);
      problemLine.appendTo(box);
      function read() {
        const items = entries.map((e) => e.fields.read()).filter((item) => Object.keys(item).length > 0);
        return items.length === 0 && !required ? undefined : items;
      }
      return {
        element: box,
        read,
        check(active) {
          const items = read();
          // A row just added and still empty is not an error: it is dropped on save.
          entries.forEach((e) => {
            const item = e.fields.read();
            e.fields.check(active && Object.keys(item).length > 0, item);
          });
          const tooFew = active && items !== undefined && prop.minItems && items.length < prop.minItems;
          problemLine
            .text(tooFew ? t('errors.settingMinItems', { field: label, count: prop.minItems }) : '')
            .toggle(Boolean(tooFew));
        },
      };
    }

    function createMap(at, prop, value, required) {
      const label = at.label;
      const box = groupBox(label.split(' › ').pop(), required);
      const rows = $('<div></div>').appendTo(box);
      const problemLine = $('<div></div>').attr('style', ERROR_STYLE).hide();
      function addRow(name, text) {
        const row = $('<div class="form-row" style="display: flex; gap: 6px;"></div>').appendTo(rows);
        $('<input type="text" class="dropship-settings-map-name" style="flex: 2;">')
          .attr('placeholder', t('placeholder.mapName'))
          .val(name)
          .appendTo(row);
        $('<input type="text" class="dropship-settings-map-value" style="flex: 3;">')
          .attr('placeholder', t('placeholder.mapValue'))
          .val(text)
          .appendTo(row);
        $(
          '<button type="button" class="red-ui-button red-ui-button-small"><i class="fa fa-times"></i></button>',
        )
          .attr('title', t('button.remove'))
          .on('click', () => {
            row.remove();
            box.trigger('dropship-settings-edited');
          })
          .appendTo(row);
      }
      Object.entries(isObject(value) ? value : {}).forEach(([name, text]) => addRow(name, text));
      $(
        '<button type="button" class="red-ui-button red-ui-button-small" style="margin-bottom: 8px;"><i class="fa fa-plus"></i> </button>',
      )
        .append($('<span></span>').text(t('button.add')))
        .on('click', () => addRow('', ''))
        .appendTo(box);
      problemLine.appendTo(box);
      function read() {
        const map = {};
        rows.children().each(function () {
          const name = String($(this).find('.dropship-settings-map-name').val() || '').trim();
          if (name) map[name] = String($(this).find('.dropship-settings-map-value').val() || '');
        });
        return Object.keys(map).length === 0 ? undefined : map;
      }
      return {
        element: box,
        read,
        check(active) {
          const map = read();
          const problem =
            active && map !== undefined
              ? leafProblem(label, prop, map)
              : required && active && map === undefined
                ? t('errors.settingRequired', { field: label })
                : undefined;
          problemLine.text(problem || '').toggle(Boolean(problem));
        },
      };
    }

    /**
     * Shows only the top-level fields whose condition (the connector's settingConditions, e.g. the OAuth2 section
     * under OAuth2 authentication) holds for the values in the form now.
     */
    function applyConditions(fields, schema, conditions) {
      if (!conditions) return;
      const settings = fields.read();
      for (const field of fields.fields) {
        const condition = conditions[field.key];
        field.hidden = Boolean(condition) && !conditionHolds(condition, settings, schema);
        field.element.toggle(!field.hidden);
      }
    }

    /**
     * The whole settings form of one schema, in place of what `container` showed (a previous form included).
     * `conditions` (optional): the connector's settingConditions, fields shown only under one choice.
     */
    function createSettingsForm(container, schema, values, conditions) {
      container.off('.dropshipSettings').empty();
      const fields = createFields(container, schema, values, { label: '', path: '' });
      const properties = Object.values(schema.properties || {});
      if (properties.some((prop) => kindOf(prop) === 'list'))
        $('<div class="form-tips"></div>').text(t('tip.list')).appendTo(container);
      const form = {
        read: () => fields.read(),
        check: () => {
          applyConditions(fields, schema, conditions);
          fields.check(true, fields.read());
        },
      };
      // Fields added later (table rows, variants) announce edits with this event.
      container.on(
        'change.dropshipSettings keyup.dropshipSettings dropship-settings-edited.dropshipSettings',
        () => form.check(),
      );
      form.check();
      return form;
    }

    function settingsProblems(schema, settings, conditions) {
      const value = isObject(settings) ? settings : {};
      return groupProblems('', applicableSchema(schema, value, conditions), value);
    }

    return { create: createSettingsForm, problems: settingsProblems };
  }

  /** The value of a setting by dot path (`transport.type`), or its schema default when it is not set. */
  function settingValue(settings, schema, dotPath) {
    let value = settings;
    let prop = schema;
    for (const key of dotPath.split('.')) {
      value = value && typeof value === 'object' ? value[key] : undefined;
      prop = prop && prop.properties ? prop.properties[key] : undefined;
    }
    return value !== undefined ? value : prop && prop.default;
  }

  /** Whether a connector's condition ({setting, values}: a field of one authentication choice) holds. */
  function conditionHolds(condition, settings, schema) {
    return condition.values.includes(settingValue(settings, schema, condition.setting));
  }

  /** The schema without the top-level settings whose condition does not hold: they are neither shown nor checked. */
  function applicableSchema(schema, settings, conditions) {
    const excluded = Object.keys(conditions || {}).filter(
      (key) => !conditionHolds(conditions[key], settings, schema),
    );
    if (excluded.length === 0) return schema;
    const properties = Object.assign({}, schema.properties);
    excluded.forEach((key) => delete properties[key]);
    return Object.assign({}, schema, {
      properties,
      required: (schema.required || []).filter((key) => !excluded.includes(key)),
    });
  }

  /**
   * The credential inputs of a config node whose connectors declare their secrets (credentialFields: name, label,
   * type, when): one input per name any connector declares, shown only for the chosen connector and the
   * authentication chosen in its settings, labelled in the connector's words. Inputs are named
   * node-config-input-<name>, so Node-RED saves them; passwords already stored show as Node-RED's placeholder.
   */
  function credentialInputs(container, node, connectors) {
    const kinds = {};
    connectors.forEach((c) =>
      (c.credentialFields || []).forEach((f) => {
        kinds[f.name] = kinds[f.name] || f.type;
      }),
    );
    const saved = node.credentials || {};
    const rows = Object.keys(kinds).map((name) => {
      const kind = kinds[name];
      const id = 'node-config-input-' + name;
      const row = $('<div class="form-row"></div>').attr('data-credential', name).appendTo(container);
      const label = $('<label></label>').attr('for', id).appendTo(row);
      const input = (
        kind === 'multiline'
          ? $('<textarea rows="3" style="width: 70%; font-family: monospace;"></textarea>')
          : $('<input style="width: 70%;">').attr('type', kind === 'text' ? 'text' : 'password')
      )
        .attr('id', id)
        .appendTo(row);
      if (kind === 'text') input.val(saved[name] || '');
      else input.val(saved[name] || (saved['has_' + name] ? '__PWRD__' : ''));
      return { name, row, label, input, shown: false };
    });
    return {
      /** Shows the fields of `connector` that apply to `settings`; returns how many are shown. */
      show(connector, settings) {
        let count = 0;
        rows.forEach((r) => {
          const field = connector && (connector.credentialFields || []).find((f) => f.name === r.name);
          r.shown = Boolean(
            field && (!field.when || conditionHolds(field.when, settings || {}, connector.settingsSchema)),
          );
          r.row.toggle(r.shown);
          if (field) r.label.text(field.label);
          if (r.shown) count++;
        });
        return count;
      },
      /** Empties the hidden inputs before a save: secrets of another connector or method are removed, not kept. */
      clearHidden() {
        rows.forEach((r) => {
          if (!r.shown) r.input.val('');
        });
      },
      /** The shown fields' values as typed (a stored password still reads as Node-RED's placeholder). */
      values() {
        const values = {};
        rows.forEach((r) => {
          if (r.shown) values[r.name] = String(r.input.val() || '');
        });
        return values;
      },
    };
  }

  /** The editor's `credentials` definition for those connectors' secrets, as the runtime declares it. */
  function credentialDefinitions(connectors) {
    const definitions = {};
    connectors.forEach((c) =>
      (c.credentialFields || []).forEach((f) => {
        definitions[f.name] = { type: f.type === 'text' ? 'text' : 'password' };
      }),
    );
    return definitions;
  }

  /**
   * @typedef {object} ConnectorEntry What the admin API lists for one connector kind (a supplier connection, a
   *   carrier API): nodes/adapter/connector-account.ts, mountConnectorCatalogue.
   * @property {string} kind
   * @property {string} [title]
   * @property {string} [description]
   * @property {Record<string, any>} settingsSchema
   * @property {{ name: string, label: string, type: string }[]} credentialFields
   * @property {Record<string, any>} [settingConditions]
   * @property {boolean} [fileConnection]
   */

  /**
   * The connector kinds of a config node type (GET `url`: dropship/connectors, dropship/carriers), fetched once per
   * editor session. `credentialDefinitions` is the object to register as the type's `credentials`: it is filled
   * when the list arrives, before any dialog can open. Nodes of `nodeType` validated before that are checked again.
   * @param {string} url
   * @param {string} nodeType
   */
  function connectorCatalogue(url, nodeType) {
    /** @type {ConnectorEntry[] | null} */
    let list = null;
    /** @type {JQuery.Promise<ConnectorEntry[]> | null} */
    let request = null;
    /** @type {Record<string, { type: 'text' | 'password' }>} */
    const credentialDefinitionsOfList = {};
    return {
      credentialDefinitions: credentialDefinitionsOfList,
      /** Whether the list has arrived (until then, settings are not checked against a schema). */
      loaded: function () {
        return list !== null;
      },
      /** @param {unknown} kind */
      kind: function (kind) {
        return (list || []).find((c) => c.kind === kind);
      },
      /** @returns {JQuery.Promise<ConnectorEntry[]>} */
      load: function () {
        if (!request) {
          request = $.getJSON(url).then(
            /** @param {ConnectorEntry[]} loadedList */
            function (loadedList) {
              list = loadedList;
              Object.assign(credentialDefinitionsOfList, credentialDefinitions(loadedList));
              RED.nodes.eachConfig(function (n) {
                if (n.type === nodeType) RED.editor.validateNode(n);
              });
              RED.view.redraw();
              return loadedList;
            },
            function (xhr) {
              request = null;
              return $.Deferred().reject(xhr);
            },
          );
        }
        return request;
      },
    };
  }

  // Node-RED loads the scripts of a node's .html side by side, in no set order, and this file once per .html: the
  // helpers are added to the object a dialog's own script (resources/dropship-<node>-editor.js) may have made first.
  global.DropshipEditor = Object.assign(global.DropshipEditor || {}, {
    settingsForm: settingsForm,
    conditionHolds: conditionHolds,
    credentialInputs: credentialInputs,
    credentialDefinitions: credentialDefinitions,
    connectorCatalogue: connectorCatalogue,

    /**
     * A validator for a config-node property: the node is chosen, exists and has no problems; otherwise the
     * message (from the node's catalogue through `t`) that says what to do about it.
     */
    configChoice: function (t, missingKey, invalidKey) {
      // Two parameters on purpose: Node-RED shows the returned sentence only to (value, opt) validators.
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
      return function (value, opt) {
        if (value === undefined || String(value).trim() === '') return true;
        const n = Number(value);
        if (Number.isInteger(n) && n >= min && n <= max) return true;
        return t('errors.range', { field: t('label.' + property), min, max });
      };
    },

    /** A validator for a JSON object typed into a text field; empty is fine (none). */
    jsonObject: function (t, property) {
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

    /**
     * The "Test connection" button of a config dialog: POSTs what `collect()` gives (the dialog's current fields,
     * its secrets as typed, the node's id) as JSON to the admin route `url`, and shows the answer in words next
     * to the button. The node's catalogue has test.running and test.unreachable.
     */
    connectionTest: function (t, button, result, url, collect) {
      function show(ok, message) {
        result
          .css(
            'color',
            ok ? 'var(--red-ui-text-color-success, #2a8a2a)' : 'var(--red-ui-text-color-error, #c00)',
          )
          .text((ok ? '✓ ' : '✗ ') + message);
      }
      button.on('click', function () {
        button.prop('disabled', true);
        result.css('color', '').text(t('test.running'));
        $.ajax({
          url: url,
          method: 'POST',
          contentType: 'application/json',
          data: JSON.stringify(collect()),
          dataType: 'json',
          timeout: 20000,
        })
          .then(
            (answer) => show(answer.ok === true, String(answer.message || '')),
            (xhr) =>
              show(
                false,
                (xhr.responseJSON && xhr.responseJSON.message) ||
                  t('test.unreachable', { status: xhr.status || xhr.statusText || '' }),
              ),
          )
          .always(() => button.prop('disabled', false));
      });
    },

    /**
     * The suppliers the operator has configured in this editor (dropship-supplier config nodes, deployed or not,
     * disabled ones aside), sorted by id: what routing rules may name. Each is `{ id, label }`.
     */
    configuredSuppliers: function () {
      const suppliers = [];
      if (!RED.nodes || typeof RED.nodes.eachConfig !== 'function') return suppliers;
      RED.nodes.eachConfig(function (n) {
        if (n.type === 'dropship-supplier' && !n.d && n.supplierId)
          suppliers.push({ id: String(n.supplierId), label: n.name || n.connector || '' });
      });
      return suppliers.sort((a, b) => a.id.localeCompare(b.id));
    },

    /**
     * Defaults for the selects of an open dialog: a node saved before a select existed (or imported without it)
     * has no value, and a select without one shows blank and saves nothing. `defaults` is the node type's.
     */
    selectDefaults: function (defaults) {
      for (const [property, definition] of Object.entries(defaults)) {
        const select = $('select#node-input-' + property);
        if (select.length && !select.val() && definition.value !== undefined && definition.value !== '')
          select.val(String(definition.value));
      }
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

    /** A whole-value ${NAME} reference, which Node-RED replaces with that environment variable at start. */
    isEnvReference: function (value) {
      return typeof value === 'string' && ENV_PLACEHOLDER.test(value.trim());
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
     * File connections (dropship-file-connection) for nodes that kept their SFTP or folder settings inline, as
     * flows saved before file connections did. `adopt`, called from oneditsave, makes a connection of those
     * settings and chooses it in the dialog's connection list (`select`); the connection takes the node's stored
     * secrets over with the next deploy (secretsFrom), since the editor never sees them.
     */
    fileConnection: {
      /**
       * Moves `legacy` (the node's inline settings, or undefined) into a new connection unless the dialog chose one
       * already: Node-RED's list says "_ADD_" while it offers only to add one.
       */
      adoptUnlessChosen: function (node, legacy, select) {
        const chosen = select.val();
        if (legacy && (!chosen || chosen === '_ADD_'))
          global.DropshipEditor.fileConnection.adopt(node, legacy, select);
      },
      adopt: function (node, settings, select) {
        const type = 'dropship-file-connection';
        const definition = RED.nodes.getType(type);
        const connection = {
          id: RED.nodes.id(),
          type: type,
          _def: definition,
          z: '',
          users: [],
          credentials: {},
        };
        for (const [property, declared] of Object.entries(definition.defaults))
          connection[property] = declared.value;
        Object.assign(connection, settings, { secretsFrom: node.type + ':' + node.id, changed: true });
        RED.nodes.add(connection);
        RED.editor.validateNode(connection);
        RED.nodes.dirty(true);
        $('<option/>')
          .val(connection.id)
          .text(RED.utils.getNodeLabel(connection, connection.id))
          .appendTo(select);
        select.val(connection.id);
        return connection.id;
      },
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

    /**
     * The sender-authentication fields of an inbound route (tracking in, returns, order in): how the sender
     * proves itself (senderAuth: signature, token or none), the signature header, and where the secret is.
     * Validators read the open dialog, so a field is checked only for the scheme chosen there.
     */
    senderAuth: {
      scheme: function (node) {
        return global.DropshipEditor.dialogValue(node, 'senderAuth') || 'signature';
      },
      listening: function (node) {
        const box = $('#node-input-listen');
        return box.length ? box.prop('checked') : node.listen !== false;
      },
      header: function (t) {
        /** @this {EditorNode} */
        return function (value, opt) {
          if (global.DropshipEditor.senderAuth.scheme(this) !== 'signature' || !value) return true;
          return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value) || t('errors.signatureHeader');
        };
      },
      secretEnv: function (t) {
        /** @this {EditorNode} */
        return function (value, opt) {
          return !value || /^[A-Za-z_][A-Za-z0-9_]*$/.test(value) || t('errors.senderSecretEnv');
        };
      },
      /** The secret is required while the node listens with a signature or token and names no variable. */
      secret: function (t) {
        /** @this {EditorNode} */
        return function (value, opt) {
          const auth = global.DropshipEditor.senderAuth;
          if (!auth.listening(this) || auth.scheme(this) === 'none') return true;
          if (value || global.DropshipEditor.dialogValue(this, 'senderSecretEnv')) return true;
          return t('errors.senderSecret');
        };
      },
      /** Shows the rows (class dropship-sender-for, data-schemes="signature,token") of the chosen scheme. */
      prepare: function () {
        $('#node-input-senderAuth')
          .on('change', function () {
            const scheme = $(this).val() || 'signature';
            $('.dropship-sender-for').each(function () {
              $(this).toggle(String($(this).attr('data-schemes')).split(',').includes(String(scheme)));
            });
          })
          .trigger('change');
      },
    },
  });
})(this);
