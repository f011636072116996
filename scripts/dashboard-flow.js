#!/usr/bin/env node
'use strict';
/**
 * The operations dashboard (issue 6) as Node-RED nodes: a dropship-watchdog and a dropship-metrics feeding
 * @flowfuse/node-red-dashboard pages at /dashboard. Every node id starts with "d6b0", so this script can replace
 * its own nodes in a flow file without touching anyone else's:
 *   node scripts/dashboard-flow.js demo      rewrites the "Dashboard" tab of flows/demo.json
 *   node scripts/dashboard-flow.js example   writes examples/Dashboard.json (its own store)
 */
const fs = require('node:fs');
const path = require('node:path');
// The one table of state words (core/model/state-names.ts), written into the widgets that show a state.
const { STATE_NAMES } = require('tsx/cjs/api').require('../core/model/state-names.ts', __filename);

const PREFIX = 'd6b0';
const id = (suffix) => PREFIX + suffix.padStart(12, '0');
const TAB = id('1');
const DEMO_STORE = 'cf90000000000001';

/**
 * The operator actions on one order, shared by the needs-attention list and the order page: buttons that send the
 * action to the watchdog's input, which applies it and records it in the order's events. `order` names the
 * template's variable holding the order (with `orderId` or `id`).
 */
const actionButtons = (order) => `<span class="dropship-actions">
              <v-btn size="small" variant="tonal" @click="act('retry', ${order})">Retry</v-btn>
              <span class="dropship-reroute">
                <input class="dropship-supplier" v-model="suppliers[idOf(${order})]" placeholder="supplier id"
                  :aria-label="'Supplier to reroute ' + idOf(${order}) + ' to'" />
                <v-btn size="small" variant="tonal" @click="act('reroute', ${order})">Reroute</v-btn>
              </span>
              <v-btn size="small" variant="tonal" color="error" @click="act('cancel', ${order})">Cancel</v-btn>
              <v-btn size="small" variant="tonal" color="success" @click="act('resolve', ${order})">Resolve</v-btn>
            </span>`;

const ACTION_METHODS = `idOf(order) {
      return order.orderId || order.id
    },
    act(action, order) {
      const orderId = this.idOf(order)
      const payload = { orderId }
      if (action === 'reroute') payload.supplierId = this.suppliers[orderId] || ''
      if (action === 'cancel') payload.reason = 'cancelled from the dashboard'
      if (action === 'resolve') payload.note = 'resolved from the dashboard'
      this.send({ topic: action, orderId, payload })
    }`;

/** Buttons and inputs that wrap rather than run off a phone's screen (390 px). */
const ACTION_STYLE = `.dropship-actions { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.dropship-reroute { display: inline-flex; gap: 4px; align-items: center; }
.dropship-supplier { width: 7em; border: 1px solid #ccc; border-radius: 4px; padding: 2px 4px; }`;

/**
 * The needs-attention list: one row per held order, each with the four operator actions. A plain <table>, not
 * <v-table>: the browser parses the template as HTML first, and moves rows out of an unknown element. On a
 * narrow screen each row becomes a block, so nothing is cut off.
 */
const ATTENTION_TEMPLATE = `<template>
  <div class="dropship-attention">
    <p v-if="!rows.length" class="dropship-attention-empty">Nothing needs attention.</p>
    <table v-else class="dropship-attention-table">
      <thead>
        <tr><th>Order</th><th>Channel</th><th>Since</th><th>Reason</th><th>Actions</th></tr>
      </thead>
      <tbody>
        <tr v-for="row in rows" :key="row.orderId" :data-order-id="row.orderId">
          <td><a :href="'order?order=' + row.orderId" @click.prevent="openOrder(row)">{{ row.orderNumber ? '#' + row.orderNumber.replace(/^#/, '') : row.orderId }}</a></td>
          <td>{{ row.channel }}</td>
          <td>{{ new Date(row.since).toLocaleString() }}</td>
          <td>{{ row.reason }}<span v-if="row.conditions.length"> ({{ row.conditions.map(named).join(', ') }})</span></td>
          <td>
            ${actionButtons('row')}
          </td>
        </tr>
      </tbody>
    </table>
  </div>
</template>

<script>
export default {
  data() {
    return { suppliers: {} }
  },
  computed: {
    rows() {
      return Array.isArray(this.msg?.payload) ? this.msg.payload : []
    }
  },
  methods: {
    // The Order page asks the watchdog for the order named in its address (?order=<id>).
    openOrder(row) {
      this.$router.push({ name: 'Page:Order', query: { order: row.orderId } })
    },
    named(code) {
      return (${JSON.stringify(STATE_NAMES)})[code] || code
    },
    ${ACTION_METHODS}
  }
}
</script>

<style>
.dropship-attention-table { width: 100%; border-collapse: collapse; }
.dropship-attention-table th, .dropship-attention-table td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e0e0e0; }
${ACTION_STYLE}
@media (max-width: 700px) {
  .dropship-attention-table thead { display: none; }
  .dropship-attention-table tr { display: block; padding: 6px 0; border-bottom: 1px solid #e0e0e0; }
  .dropship-attention-table td { display: block; padding: 2px 4px; border-bottom: none; }
}
</style>`;

/** The order search: a term in, the matching orders out (newest first), each opening the order page below. */
const SEARCH_TEMPLATE = `<template>
  <div class="dropship-search">
    <form class="dropship-search-form" @submit.prevent="search">
      <input v-model="query" class="dropship-search-input" type="search"
        aria-label="Order number, e-mail, PO or tracking number" placeholder="#1001, e-mail, PO or tracking number" />
      <v-btn type="submit" size="small" variant="tonal" color="primary">Search</v-btn>
    </form>
    <p v-if="answered && !orders.length" class="dropship-search-empty">No order matches {{ answered }}.</p>
    <ul v-if="orders.length" class="dropship-search-results">
      <li v-for="order in orders" :key="order.id" :data-order-id="order.id">
        <a :href="'order?order=' + order.id" class="dropship-search-open" @click.prevent="openOrder(order)">{{ order.reference }}</a>
        <span class="dropship-state">{{ order.stateName }}</span>
        <span>{{ order.customerEmail }}</span>
        <span>{{ new Date(order.placedAt).toLocaleString() }}</span>
        <span>{{ order.total }} {{ order.currency }}</span>
      </li>
    </ul>
  </div>
</template>

<script>
export default {
  data() {
    return { query: '' }
  },
  computed: {
    orders() {
      return this.msg?.topic === 'orders' && Array.isArray(this.msg.payload) ? this.msg.payload : []
    },
    answered() {
      return this.msg?.topic === 'orders' ? this.msg.query : ''
    }
  },
  methods: {
    // The watchdog runs the search in the store and answers this browser only.
    search() {
      if (this.query.trim()) this.send({ topic: 'search', payload: { query: this.query.trim() } })
    },
    openOrder(order) {
      this.$router.push({ query: { order: order.id } })
    }
  }
}
</script>

<style>
.dropship-search-form { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.dropship-search-input { flex: 1 1 14em; min-width: 0; border: 1px solid #ccc; border-radius: 4px; padding: 6px 8px; }
.dropship-search-results { list-style: none; padding: 0; margin: 8px 0 0; }
.dropship-search-results li { display: flex; flex-wrap: wrap; gap: 4px 12px; padding: 6px 0; border-bottom: 1px solid #e0e0e0; }
.dropship-search-open { font-weight: 600; }
.dropship-state { font-weight: 600; color: #1f3a5f; }
</style>`;

/**
 * One order: its state, the operator actions, its history in words (oldest first) and its POs, parcels and
 * notifications. Filled by the watchdog's answer to an "order" request or to an action taken here.
 */
const ORDER_TEMPLATE = `<template>
  <div class="dropship-order" id="dropship-order">
    <p v-if="!order" class="dropship-order-empty">Search for an order and open it to see its history.</p>
    <div v-else :data-order-id="order.id">
      <h3 class="dropship-order-title">Order {{ order.reference }} <span class="dropship-state">{{ order.stateName }}</span></h3>
      <p class="dropship-order-facts">
        <span>{{ order.customerName }}</span> <span>{{ order.customerEmail }}</span>
        <span>{{ order.channel }}</span> <span>placed {{ when(order.placedAt) }}</span>
        <span>{{ order.total }} {{ order.currency }}</span>
      </p>
      ${actionButtons('order')}
      <h4>Timeline</h4>
      <ol class="dropship-timeline">
        <li v-for="(entry, i) in order.timeline" :key="i">
          <time :datetime="entry.at">{{ when(entry.at) }}</time>
          <strong>{{ entry.what }}</strong><span v-if="entry.poNumber"> · PO {{ entry.poNumber }}</span>
          <span class="dropship-actor"> · by {{ entry.actor }}</span>
          <span v-if="entry.why" class="dropship-why"> · {{ entry.why }}</span>
        </li>
      </ol>
      <h4>Purchase orders</h4>
      <p v-if="!order.purchaseOrders.length">None.</p>
      <ul class="dropship-order-list dropship-pos">
        <li v-for="po in order.purchaseOrders" :key="po.number">
          <strong>{{ po.number }}</strong> to {{ po.supplierId }}: <span class="dropship-state">{{ po.stateName }}</span>
          ({{ po.lines }} line{{ po.lines === 1 ? '' : 's' }})
        </li>
      </ul>
      <h4>Parcels</h4>
      <p v-if="!order.parcels.length">None yet.</p>
      <ul class="dropship-order-list dropship-parcels">
        <li v-for="parcel in order.parcels" :key="parcel.trackingNumber">
          <a v-if="parcel.trackingUrl" :href="parcel.trackingUrl" target="_blank" rel="noopener">{{ parcel.trackingNumber }}</a>
          <strong v-else>{{ parcel.trackingNumber }}</strong>
          <span v-if="parcel.carrier"> ({{ parcel.carrier }})</span>:
          <span class="dropship-state">{{ parcel.statusName }}</span>, {{ when(parcel.lastEventAt) }}
        </li>
      </ul>
      <h4>Refunds</h4>
      <p v-if="!order.refunds || !order.refunds.length">None.</p>
      <ul class="dropship-order-list dropship-refunds">
        <li v-for="refund in order.refunds || []" :key="refund.key" :data-refund-key="refund.key">
          <strong>{{ refund.total }} {{ refund.currency }}</strong>: <span class="dropship-state">{{ refund.stateName }}</span>
          · {{ refund.reason }}
          <span class="dropship-refund-lines">({{ refund.lines.map((l) => l.quantity + ' × ' + l.sku + ' ' + l.amount).join(', ') }}, shipping {{ refund.shipping }})</span>
          <span v-if="refund.lastError" class="dropship-why"> · {{ refund.lastError }}</span>
          <span v-if="refund.state === 'proposed' || refund.state === 'failed'" class="dropship-actions">
            <v-btn size="small" variant="tonal" color="success" @click="refundAction('refund', refund)">Refund</v-btn>
            <v-btn v-if="refund.state === 'proposed'" size="small" variant="tonal" @click="refundAction('dismiss_refund', refund)">Dismiss</v-btn>
          </span>
        </li>
      </ul>
      <h4>Notifications</h4>
      <p v-if="!order.notifications.length">None yet.</p>
      <ul class="dropship-order-list dropship-notifications">
        <li v-for="(note, i) in order.notifications" :key="i">
          {{ note.milestone }} by {{ note.channel }}: <span class="dropship-state">{{ note.stateName }}</span>
          <span v-if="note.sentAt">, {{ when(note.sentAt) }}</span>
        </li>
      </ul>
    </div>
  </div>
</template>

<script>
export default {
  data() {
    return { suppliers: {} }
  },
  computed: {
    order() {
      return this.msg?.topic === 'order' && this.msg.payload ? this.msg.payload : null
    }
  },
  mounted() {
    this.$watch(
      () => this.$router.currentRoute.value.query.order,
      (ref) => {
        if (ref) this.send({ topic: 'order', orderId: String(ref) })
      },
      { immediate: true }
    )
  },
  methods: {
    when(at) {
      return at ? new Date(at).toLocaleString() : ''
    },
    // Refund and Dismiss go to the watchdog, which makes the refund through the order's refunds node.
    refundAction(topic, refund) {
      this.send({ topic, orderId: this.order.id, refundKey: refund.key, payload: { refundKey: refund.key } })
    },
    ${ACTION_METHODS}
  }
}
</script>

<style>
.dropship-order-title { margin: 0 0 4px; }
.dropship-order-facts { display: flex; flex-wrap: wrap; gap: 4px 12px; }
.dropship-order h4 { margin: 12px 0 4px; }
.dropship-timeline, .dropship-order-list { padding-left: 2.2em; margin: 0; }
.dropship-timeline li, .dropship-order-list li { padding: 2px 0; overflow-wrap: anywhere; }
.dropship-timeline time { color: #555; margin-right: 6px; }
.dropship-state { font-weight: 600; color: #1f3a5f; }
${ACTION_STYLE}
</style>`;

/** Splits a metrics report into the dashboard's widgets (rates as percentages, hours to one decimal). */
const FIGURES_FUNCTION = `// A supplier-grouped report feeds the state counts and the scorecards; a day-grouped one the KPI chart.
const STATE_NAMES = ${JSON.stringify(STATE_NAMES)};
const report = msg.payload;
const percent = (rate) => (rate === undefined || rate === null ? '' : Math.round(rate * 1000) / 10);
const hours = (q) => (q && q.median !== undefined ? Math.round(q.median * 10) / 10 : '');
if (report.groupBy.length === 1 && report.groupBy[0] === 'day') {
    const series = {
        'Order fill %': (g) => g.orderFillRate,
        'On-time ship %': (g) => g.onTimeShipRate,
        'Acceptance %': (g) => g.acceptanceRate,
        'Exception %': (g) => g.exceptionRate
    };
    const points = [];
    for (const group of [...report.groups].sort((a, b) => a.key.day.localeCompare(b.key.day)))
        for (const [name, figure] of Object.entries(series))
            if (figure(group) !== undefined) points.push({ series: name, day: Date.parse(group.key.day), value: percent(figure(group)) });
    return [null, null, { topic: 'kpis', action: 'replace', payload: points }];
}
const states = Object.entries(report.ordersByState || {})
    .filter(([, count]) => count > 0)
    .map(([state, count]) => ({ state: STATE_NAMES[state] || state, orders: count }));
const scorecards = report.groups.map((g) => ({
    supplier: g.key.supplier || 'all',
    POs: g.purchaseOrders,
    'Fill %': percent(g.orderFillRate),
    'Accepted %': percent(g.acceptanceRate),
    'On time %': percent(g.onTimeShipRate),
    'Ack h (median)': hours(g.orderToAcknowledgementHours),
    'Ship h (median)': hours(g.orderToShipHours),
    'Exceptions %': percent(g.exceptionRate),
    'Send errors %': percent(g.errorRate),
    'Margin %': percent(g.grossMargin.rate)
}));
const portalWords = { acknowledgement: 'answered', shipment: 'reported a parcel', stock: 'updated stock', cancel_confirmed: 'confirmed a cancellation', sign_in: 'signed in' };
const portal = (report.portalActivity || []).map((a) => ({
    when: a.at.slice(0, 16).replace('T', ' '),
    supplier: a.supplierId,
    what: portalWords[a.kind] || a.kind,
    PO: a.poNumber || '',
    by: a.actor
}));
return [{ payload: states }, { payload: scorecards }, null, { payload: portal }];`;

/** The watchdog refused an action (unknown order, no supplier to reroute to...): tell the operator why. */
const REFUSAL_FUNCTION = `const error = msg.error || {};
const details = (error.details || []).map((d) => d.path + ' ' + d.message).join('; ');
return { payload: 'Not done: ' + (error.message || 'the action failed') + (details ? ' (' + details + ')' : '') };`;

/** `setupNote` ends the opening comment: how the dashboard package gets there for this flow. */
function dashboardNodes(store, setupNote) {
  const ui = id('a1');
  const theme = id('a2');
  const operations = id('a3');
  const suppliersPage = id('a4');
  const orderPage = id('a5');
  const group = (suffix, name, page, width, order) => ({
    id: id(suffix),
    type: 'ui-group',
    name,
    page,
    width: String(width),
    height: '1',
    order,
    showTitle: true,
    className: '',
    visible: 'true',
    disabled: 'false',
    groupType: 'default',
  });
  const page = (suffix, name, pagePath, icon, order) => ({
    id: id(suffix),
    type: 'ui-page',
    name,
    ui,
    path: pagePath,
    icon,
    layout: 'grid',
    theme,
    breakpoints: [
      { name: 'Default', px: '0', cols: '3' },
      { name: 'Tablet', px: '576', cols: '6' },
      { name: 'Small Desktop', px: '768', cols: '9' },
      { name: 'Desktop', px: '1024', cols: '12' },
    ],
    order,
    className: '',
    visible: 'true',
    disabled: 'false',
  });
  const attentionGroup = id('b1');
  const statesGroup = id('b2');
  const scorecardGroup = id('b3');
  const chartGroup = id('b4');
  const searchGroup = id('b5');
  const orderGroup = id('b6');
  const watchdog = id('c1');
  const metrics = id('c2');
  const figures = id('c3');
  const attention = id('c4');
  const refusal = id('c5');
  const notification = id('c6');
  const states = id('c7');
  const scorecards = id('c8');
  const chart = id('c9');
  const escalations = id('ca');
  const alerts = id('cb');
  const everyTenSeconds = id('cc');
  const everyMinute = id('cd');
  const byTopic = id('ce');
  const search = id('cf');
  const orderView = id('d0');
  const portalActivity = id('d1');
  const template = (suffix, name, groupId, format) => ({
    id: id(suffix),
    type: 'ui-template',
    z: TAB,
    group: groupId,
    page: '',
    ui: '',
    name,
    order: 1,
    width: 0,
    height: 0,
    head: '',
    format,
    storeOutMessages: true,
    passthru: false,
    resendOnRefresh: true,
    templateScope: 'local',
    className: '',
  });
  const table = (suffix, name, label, groupId, order) => ({
    id: id(suffix),
    type: 'ui-table',
    z: TAB,
    group: groupId,
    name,
    label,
    order,
    width: 0,
    height: 0,
    maxrows: 0,
    passthru: false,
    autocols: true,
    showSearch: false,
    deselect: true,
    selectionType: 'none',
    columns: [],
    mobileBreakpoint: 'sm',
    mobileBreakpointType: 'defaults',
    action: 'replace',
    className: '',
  });
  return [
    {
      id: TAB,
      type: 'tab',
      label: 'Dashboard',
      disabled: false,
      info: "The operations dashboard at /dashboard: what needs attention today, orders by state, an order search with each order's history, supplier scorecards and KPIs by day.",
    },
    {
      id: ui,
      type: 'ui-base',
      name: 'Drop-ship operations',
      path: '/dashboard',
      appIcon: '',
      includeClientData: true,
      // A search answer or an order page goes only to the browser that asked (msg._client).
      acceptsClientConfig: ['ui-notification', 'ui-control', 'ui-template'],
      showPathInSidebar: false,
      headerContent: 'page',
      navigationStyle: 'default',
      titleBarStyle: 'default',
      showReconnectNotification: true,
      notificationDisplayTime: 5,
      showDisconnectNotification: true,
      allowInstall: false,
    },
    {
      id: theme,
      type: 'ui-theme',
      name: 'Drop-ship',
      colors: {
        surface: '#1f3a5f',
        primary: '#0a7d52',
        bgPage: '#f4f6f8',
        groupBg: '#ffffff',
        groupOutline: '#d9d9e0',
      },
      sizes: {
        density: 'default',
        pagePadding: '12px',
        groupGap: '12px',
        groupBorderRadius: '4px',
        widgetGap: '12px',
      },
    },
    page('a3', 'Today', '/today', 'alert-circle-outline', 1),
    page('a4', 'Suppliers', '/suppliers', 'truck-outline', 2),
    page('a5', 'Order', '/order', 'magnify', 3),
    group('b1', 'Needs attention', operations, 12, 1),
    group('b2', 'Orders by state', operations, 4, 2),
    group('b3', 'Supplier scorecards', suppliersPage, 12, 1),
    group('b4', 'KPIs by day (last 30 days)', suppliersPage, 12, 2),
    group('b5', 'Find an order', orderPage, 12, 1),
    group('b6', 'Order', orderPage, 12, 2),
    {
      id: id('c0'),
      type: 'comment',
      z: TAB,
      name: 'Operations dashboard at /dashboard',
      info:
        'Pages of @flowfuse/node-red-dashboard fed by the package nodes.\n\n' +
        '- **Today**: the needs-attention queue from the watchdog (refreshed after every sweep and every action) with ' +
        'Retry, Reroute (to the supplier id typed beside it), Cancel and Resolve. The buttons send the action to the ' +
        "watchdog's input, which applies it and records it in the order's events under the operator's dashboard " +
        "login (the watchdog's name without one); a refused action comes back as a notification. Beside it, how " +
        'many orders are in each state.\n' +
        '- **Order**: find an order by its number (`#1001`), storefront id, customer e-mail, PO number or tracking ' +
        'number (the watchdog searches the store), open it and read its history in words (when, who, what, why), its ' +
        'POs, parcels and notifications, with the same four actions.\n' +
        '- **Suppliers**: the supplier scorecards of the last 30 days and the KPIs by day, from the metrics node ' +
        '(the same figures as `GET /dropship/api/metrics`).\n\n' +
        'Definitions of every figure: docs/metrics.md. ' +
        setupNote,
      x: 190,
      y: 40,
      wires: [],
    },
    {
      id: watchdog,
      type: 'dropship-watchdog',
      z: TAB,
      name: 'Watchdog',
      store,
      sweepSeconds: '10',
      policy: '',
      x: 400,
      y: 120,
      wires: [[escalations], [byTopic], [refusal]],
    },
    {
      id: byTopic,
      type: 'switch',
      z: TAB,
      name: 'Queue, search or order',
      property: 'topic',
      propertyType: 'msg',
      rules: [
        { t: 'eq', v: 'needs_attention', vt: 'str' },
        { t: 'eq', v: 'orders', vt: 'str' },
        { t: 'eq', v: 'order', vt: 'str' },
      ],
      checkall: 'false',
      repair: false,
      outputs: 3,
      x: 620,
      y: 120,
      wires: [[attention], [search], [orderView]],
    },
    {
      ...template('c4', 'Needs attention', attentionGroup, ATTENTION_TEMPLATE),
      x: 860,
      y: 80,
      wires: [[watchdog]],
    },
    { ...template('cf', 'Find an order', searchGroup, SEARCH_TEMPLATE), x: 850, y: 120, wires: [[watchdog]] },
    { ...template('d0', 'Order page', orderGroup, ORDER_TEMPLATE), x: 840, y: 160, wires: [[watchdog]] },
    {
      id: refusal,
      type: 'function',
      z: TAB,
      name: 'Why it was refused',
      func: REFUSAL_FUNCTION,
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      x: 640,
      y: 180,
      wires: [[notification]],
    },
    {
      id: notification,
      type: 'ui-notification',
      z: TAB,
      ui,
      position: 'top right',
      colorDefault: true,
      color: '#000000',
      displayTime: '6',
      showCountdown: true,
      outputs: 1,
      allowDismiss: true,
      dismissText: 'Close',
      allowConfirm: false,
      confirmText: 'Confirm',
      raw: false,
      className: '',
      name: 'Refused action',
      x: 860,
      y: 180,
      wires: [[]],
    },
    {
      id: escalations,
      type: 'debug',
      z: TAB,
      name: 'Escalation steps',
      active: false,
      tosidebar: true,
      console: false,
      tostatus: false,
      complete: 'true',
      targetType: 'full',
      statusVal: '',
      statusType: 'auto',
      x: 640,
      y: 60,
      wires: [],
    },
    {
      id: everyTenSeconds,
      type: 'inject',
      z: TAB,
      name: 'Scorecards every 10 s',
      props: [{ p: 'payload' }],
      repeat: '10',
      crontab: '',
      once: true,
      onceDelay: '2',
      topic: '',
      payload: '{"groupBy":"supplier"}',
      payloadType: 'json',
      x: 180,
      y: 260,
      wires: [[metrics]],
    },
    {
      id: everyMinute,
      type: 'inject',
      z: TAB,
      name: 'KPIs by day every 10 s',
      props: [{ p: 'payload' }],
      repeat: '10',
      crontab: '',
      once: true,
      onceDelay: '3',
      topic: '',
      payload: '{"groupBy":"day"}',
      payloadType: 'json',
      x: 170,
      y: 320,
      wires: [[metrics]],
    },
    {
      id: metrics,
      type: 'dropship-metrics',
      z: TAB,
      name: 'Metrics',
      store,
      windowDays: '30',
      groupBy: 'supplier',
      intervalSeconds: '0',
      controlFigure: 'errorRate',
      controlDays: '3',
      controlBaselineDays: '28',
      listen: true,
      x: 400,
      y: 280,
      wires: [[figures], [alerts]],
    },
    {
      id: figures,
      type: 'function',
      z: TAB,
      name: 'Dashboard figures',
      func: FIGURES_FUNCTION,
      outputs: 4,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      x: 600,
      y: 280,
      wires: [[states], [scorecards], [chart], [portalActivity]],
    },
    { ...table('c7', 'Orders by state', '', statesGroup, 1), x: 840, y: 240, wires: [] },
    { ...table('c8', 'Supplier scorecards', '', scorecardGroup, 1), x: 850, y: 280, wires: [] },
    {
      ...table('d1', 'Supplier portal activity', 'Supplier portal: latest activity', scorecardGroup, 2),
      x: 860,
      y: 360,
      wires: [],
    },
    {
      id: chart,
      type: 'ui-chart',
      z: TAB,
      group: chartGroup,
      name: 'KPIs by day',
      label: 'Rates by day the orders were placed (%)',
      order: 1,
      chartType: 'line',
      category: 'series',
      categoryType: 'property',
      xAxisLabel: '',
      xAxisProperty: 'day',
      xAxisPropertyType: 'property',
      xAxisType: 'time',
      xAxisFormat: '',
      xAxisFormatType: 'auto',
      xmin: '',
      xmax: '',
      yAxisLabel: '%',
      yAxisProperty: 'value',
      yAxisPropertyType: 'property',
      ymin: '0',
      ymax: '100',
      bins: 10,
      action: 'replace',
      stackSeries: false,
      pointShape: 'circle',
      pointRadius: 4,
      showLegend: true,
      removeOlder: '0',
      removeOlderUnit: '86400',
      removeOlderPoints: '',
      colors: [
        '#0a7d52',
        '#0095FF',
        '#FF7F0E',
        '#D62728',
        '#A347E1',
        '#2CA02C',
        '#FF9896',
        '#9467BD',
        '#C5B0D5',
      ],
      textColor: ['#666666'],
      textColorDefault: true,
      gridColor: ['#e5e5e5'],
      gridColorDefault: true,
      width: 12,
      height: 6,
      className: '',
      interpolation: 'linear',
      x: 830,
      y: 320,
      wires: [[]],
    },
    {
      id: alerts,
      type: 'debug',
      z: TAB,
      name: 'Control-limit alerts',
      active: true,
      tosidebar: true,
      console: false,
      tostatus: false,
      complete: 'payload',
      targetType: 'msg',
      statusVal: '',
      statusType: 'auto',
      x: 620,
      y: 360,
      wires: [],
    },
  ];
}

const ours = (node) => node.id.startsWith(PREFIX);
const write = (file, nodes) => fs.writeFileSync(file, JSON.stringify(nodes, null, 4) + '\n');

/**
 * The source text of each top-level element of a JSON array written by JSON.stringify(…, 4), in order: the other
 * tabs' nodes are written back exactly as they were, whatever else their text holds.
 */
function elementTexts(text) {
  const texts = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 1 && start < 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 1 && start >= 0) {
        texts.push(text.slice(start, i + 1));
        start = -1;
      }
    }
  }
  return texts;
}

function updateDemo() {
  const file = path.join(__dirname, '..', 'flows', 'demo.json');
  const text = fs.readFileSync(file, 'utf8');
  const current = JSON.parse(text);
  const originals = elementTexts(text);
  if (originals.length !== current.length) throw new Error(`${file}: cannot tell its nodes apart`);
  const others = originals.filter((_, i) => !ours(current[i]));
  // The tab goes back where it was, so regenerating it changes only what changed in it.
  const first = current.findIndex(ours);
  const at = first < 0 ? others.length : current.slice(0, first).filter((n) => !ours(n)).length;
  const indent = (node) => JSON.stringify(node, null, 4).replace(/\n/g, '\n    ');
  const dashboard = dashboardNodes(
    DEMO_STORE,
    'Without @flowfuse/node-red-dashboard installed, `npm start` leaves the ui-* nodes out and the watchdog and ' +
      'metrics run on their own.',
  ).map(indent);
  const nodes = [...others.slice(0, at), ...dashboard, ...others.slice(at)];
  fs.writeFileSync(file, `[\n    ${nodes.join(',\n    ')}\n]\n`);
}

function writeExample() {
  const store = id('f1');
  write(path.join(__dirname, '..', 'examples', 'Dashboard.json'), [
    ...dashboardNodes(
      store,
      'Install @flowfuse/node-red-dashboard (Manage palette) before importing: the ui-* nodes come from it. ' +
        'Open /dashboard after deploying; post an order whose only line needs no shipping to see one held. Its ' +
        'Order store is dropship.sqlite, the file a new store node uses: the dashboard watches your own flows ' +
        "there, not the other examples (each keeps its own file); point it at your pipeline's store if that differs.",
    ),
    {
      id: store,
      type: 'dropship-store',
      name: 'Orders (SQLite)',
      engine: 'sqlite',
      filename: 'dropship.sqlite',
      synchronous: 'FULL',
      connectionString: '',
      schema: '',
      poolSize: '',
      version: 1,
    },
  ]);
}

const target = process.argv[2];
if (target === 'demo') updateDemo();
else if (target === 'example') writeExample();
else {
  console.error('usage: node scripts/dashboard-flow.js demo|example');
  process.exitCode = 1;
}
