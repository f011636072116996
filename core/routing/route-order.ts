import type { Order, OrderLine } from '../model/order';
import type { PurchaseOrderLine } from '../model/purchase-order';
import { compiledRules, type CompiledRules, type CompiledSupplier } from './compiled-rules';
import type { CatalogueEntry, RoutingRules, RoutingStrategy } from './routing-rules';
import { estimateDispatch, isoDateOfDayNumber, localDayNumber, type DispatchEstimate } from './service-level';
import { bufferUnits } from './stock-policy';

/** A supplier's stock of one SKU as the store knows it. */
export interface StockSnapshot {
  /** What the supplier's last feed reported. */
  quantity: number;
  /** Units on this supplier's open purchase orders that its feed does not reflect yet (0 when absent). */
  committed?: number;
  /** When the supplier's feed said so, epoch milliseconds. */
  feedAt: number;
}

/**
 * A supplier's track record, each figure 0..1. Any figure may be missing until the metrics have enough data.
 * acceptance: share of POs accepted; cancellation: share cancelled by the supplier (lower is better);
 * onTime: share shipped by the promised date; trackingLatency: 0 = tracking arrives at once, 1 = at or past the
 * operator's limit (lower is better).
 */
export interface SupplierPerformance {
  acceptance?: number;
  cancellation?: number;
  onTime?: number;
  trackingLatency?: number;
}

export interface RoutingContext {
  now: Date;
  /** Snapshot of supplier stock: undefined = no feed for this supplier/SKU (treat per rules). */
  stock?: (supplierId: string, sku: string) => StockSnapshot | undefined;
  /** Supplier performance figures 0..1 from the store; absent until metrics exist ("zero-configured"). */
  performance?: (supplierId: string) => SupplierPerformance | undefined;
}

export interface RoutingAssignment {
  supplierId: string;
  lines: PurchaseOrderLine[];
  /** Other suppliers that can take every one of these lines, best first: dispatch fails over along this list. */
  alternatives: string[];
  reason: string;
  score?: number;
  /** Item cost + drop-ship fees + shipping estimate for these lines; absent when a unit cost is unknown. */
  landedCost?: number;
  /** The supplier cannot ship by the order's promised date (used because no other supplier could). */
  late?: boolean;
  /** The local date (supplier's zone) the parcel is expected to leave. */
  estimatedDispatch?: string;
}

export interface RoutingCandidate {
  supplierId: string;
  /** True when the supplier can take at least one of the order's lines. */
  eligible: boolean;
  score?: number;
  landedCost?: number;
  /** Order line ids this supplier can take. */
  lineIds: string[];
  /** One sentence per fact: stock left, cost, ship date, and every reason a line was refused. */
  reasons: string[];
}

export interface RoutingDecision {
  assignments: RoutingAssignment[];
  unrouted: Array<{ orderLineId: string; sku: string; reason: string }>;
  /** Every supplier considered, ranked, with its score and the reason for each exclusion. */
  candidates: RoutingCandidate[];
  /** Human sentences for the order's event log, e.g. "B: 12 left after buffer 5; cost 14.20; score 0.82". */
  explanation: string[];
}

/** How one supplier fares with one line. */
interface LineFit {
  ok: boolean;
  /** The refusal, or the stock fact ("12 left after buffer 5"). */
  note: string;
  tier: number;
  /** Position within the tier's supplier list (the priority strategy's order). */
  position: number;
  confidence: number;
  entry?: CatalogueEntry;
  /** (unit cost + drop-ship fee) x quantity; undefined when the unit cost is unknown. */
  itemCost?: number;
  /** itemCost plus the per-unit shipping part, for comparing suppliers line by line. */
  lineCost?: number;
  costPart: number;
}

interface SupplierEval {
  supplier: CompiledSupplier;
  /** Indexed like the order's shippable lines; undefined where the supplier is not a candidate for the line. */
  fits: (LineFit | undefined)[];
  okLines: number[];
  /** A refusal that applies to every line (paused, does not ship to the country). */
  blocked?: string;
  dispatch?: DispatchEstimate;
  late: boolean;
  handlingPart: number;
  performancePart: number;
  /** The supplier's shipping estimate for the ship-to country. */
  rate: { base: number; perUnit: number };
}

/** One way to give a set of lines to one supplier, with everything the ranking compares. */
interface Option {
  evaluation: SupplierEval;
  lines: number[];
  late: boolean;
  tier: number;
  position: number;
  landedCost?: number;
  margin?: number;
  score: number;
}

const NEUTRAL_PERFORMANCE = 0.5;
const UNKNOWN_COST_PART = 0.5;

const money = (value: number): string => value.toFixed(2);
/** Scores are shown as they are stored in the decision: rounded to two decimals. */
const ratio = (value: number): string => round(value).toFixed(2);

/** "45min", "3h", "2d": how old a stock feed is, in the words routing decisions use. */
export function formatAge(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes}min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.round(hours / 24)}d`;
}

function performancePart(figures: SupplierPerformance | undefined): number {
  if (!figures) return NEUTRAL_PERFORMANCE;
  const parts: number[] = [];
  if (figures.acceptance !== undefined) parts.push(figures.acceptance);
  if (figures.cancellation !== undefined) parts.push(1 - figures.cancellation);
  if (figures.onTime !== undefined) parts.push(figures.onTime);
  if (figures.trackingLatency !== undefined) parts.push(1 - figures.trackingLatency);
  if (parts.length === 0) return NEUTRAL_PERFORMANCE;
  return Math.min(1, Math.max(0, parts.reduce((a, b) => a + b, 0) / parts.length));
}

function shippingRate(supplier: CompiledSupplier, country: string): { base: number; perUnit: number } {
  let fallback: { base: number; perUnit: number } | undefined;
  for (const rate of supplier.shipping) {
    if (!rate.countries) fallback ??= { base: rate.base, perUnit: rate.perUnit ?? 0 };
    else if (rate.countries.includes(country)) return { base: rate.base, perUnit: rate.perUnit ?? 0 };
  }
  return fallback ?? { base: 0, perUnit: 0 };
}

/** The routing of one order: pure, deterministic for the same order, rules and context. */
class OrderRouting {
  private readonly lines: OrderLine[];
  private readonly evaluations: SupplierEval[] = [];
  private readonly byLine: SupplierEval[][];
  private readonly nowMs: number;
  private readonly promisedShipBy?: number;
  private readonly weightSum: number;

  constructor(
    private readonly order: Order,
    private readonly rules: CompiledRules,
    private readonly context: RoutingContext,
  ) {
    this.lines = order.lines.filter((line) => line.requiresShipping);
    this.byLine = this.lines.map(() => []);
    this.nowMs = context.now.getTime();
    this.promisedShipBy = order.shipping.promisedShipBy
      ? Date.parse(order.shipping.promisedShipBy)
      : undefined;
    const w = rules.weights;
    this.weightSum = w.stock + w.cost + w.handling + w.performance;
  }

  decide(): RoutingDecision {
    if (this.lines.length === 0) {
      return {
        assignments: [],
        unrouted: [],
        candidates: [],
        explanation: ['No line needs shipping: nothing to route.'],
      };
    }
    this.evaluateCandidates();
    this.scoreCostParts();
    const chosen = this.assign();
    const covered = new Set(chosen.flatMap((option) => option.lines));
    const assignments = chosen.map((option) => this.assignment(option));
    const unrouted = this.lines.flatMap((line, i) =>
      covered.has(i) ? [] : [{ orderLineId: line.lineId, sku: line.sku, reason: this.unroutedReason(i) }],
    );
    const candidates = this.rankedCandidates();
    return {
      assignments,
      unrouted,
      candidates,
      explanation: this.explain(assignments, unrouted, candidates),
    };
  }

  private evaluateCandidates(): void {
    const index = new Map<string, SupplierEval>();
    this.lines.forEach((line, lineIndex) => {
      const tiers = this.rules.ruleFor(line, this.order.shipTo)?.tiers ?? this.rules.defaultTiersFor(line);
      tiers.forEach((tier, tierIndex) => {
        tier.forEach((id, position) => {
          let evaluation = index.get(id);
          if (!evaluation) {
            evaluation = this.evaluateSupplier(this.rules.supplier(id));
            index.set(id, evaluation);
            this.evaluations.push(evaluation);
          }
          if (evaluation.fits[lineIndex]) return;
          evaluation.fits[lineIndex] = this.fitLine(evaluation, lineIndex, tierIndex, position);
          this.byLine[lineIndex]!.push(evaluation);
        });
      });
    });
    for (const evaluation of this.evaluations) {
      evaluation.fits.forEach((fit, i) => {
        if (fit?.ok) evaluation.okLines.push(i);
      });
    }
  }

  private evaluateSupplier(supplier: CompiledSupplier): SupplierEval {
    const evaluation: SupplierEval = {
      supplier,
      fits: new Array<LineFit | undefined>(this.lines.length),
      okLines: [],
      late: false,
      handlingPart: 1,
      performancePart: performancePart(this.context.performance?.(supplier.id)),
      rate: shippingRate(supplier, this.order.shipTo.country),
    };
    const country = this.order.shipTo.country;
    if (!supplier.active) evaluation.blocked = 'is paused';
    else if (
      (supplier.shipsTo && !supplier.shipsTo.has(country)) ||
      (supplier.excludeCountries && supplier.excludeCountries.has(country))
    ) {
      evaluation.blocked = `does not ship to ${country}`;
    } else {
      evaluation.dispatch = estimateDispatch(supplier.calendar, this.nowMs);
      if (this.promisedShipBy !== undefined) {
        evaluation.late =
          evaluation.dispatch.dispatchDay > localDayNumber(supplier.calendar.zone, this.promisedShipBy);
      }
    }
    return evaluation;
  }

  private fitLine(evaluation: SupplierEval, lineIndex: number, tier: number, position: number): LineFit {
    const line = this.lines[lineIndex]!;
    const refuse = (note: string): LineFit => ({
      ok: false,
      note,
      tier,
      position,
      confidence: 0,
      costPart: 0,
    });
    if (evaluation.blocked) return refuse(evaluation.blocked);
    const supplier = evaluation.supplier;
    const entry = this.rules.catalogueEntry(supplier, line);
    if (!entry) return refuse(`does not carry ${line.sku}`);

    // Lines of the same SKU draw on the same stock.
    let needed = line.quantity;
    for (let i = 0; i < lineIndex; i++) {
      if (this.lines[i]!.sku === line.sku && evaluation.fits[i]?.ok) needed += this.lines[i]!.quantity;
    }
    const policy = supplier.stock;
    const snapshot = this.context.stock?.(supplier.id, line.sku);
    let confidence: number;
    let note: string;
    if (!snapshot) {
      if (policy.whenNoFeed === 'out_of_stock') return refuse(`no stock record for ${line.sku}`);
      confidence = policy.noFeedConfidence;
      note = `${line.sku}: no stock feed, assumed in stock`;
    } else {
      const age = this.nowMs - snapshot.feedAt;
      if (policy.disqualifyAfterMs !== undefined && age > policy.disqualifyAfterMs) {
        return refuse(
          `stock feed for ${line.sku} is ${formatAge(age)} old (limit ${formatAge(policy.disqualifyAfterMs)})`,
        );
      }
      const committed = snapshot.committed ?? 0;
      const buffer = bufferUnits(policy, line.sku, snapshot.quantity);
      const available = snapshot.quantity - committed - buffer;
      const held =
        committed > 0 && buffer > 0
          ? `${committed} on open POs and buffer ${buffer}`
          : committed > 0
            ? `${committed} on open POs`
            : buffer > 0
              ? `buffer ${buffer}`
              : '';
      const left = `${Math.max(available, 0)} left${held ? ` after ${held}` : ''}`;
      if (available < needed) {
        return refuse(
          available <= 0
            ? `out of stock for ${line.sku} (${left})`
            : `only ${left} for ${line.sku}, needs ${needed}`,
        );
      }
      const stale = policy.feedEveryMs !== undefined && age > policy.feedEveryMs;
      confidence = stale ? policy.feedEveryMs! / age : 1;
      note = `${line.sku}: ${left}${stale ? ` (feed ${formatAge(age)} old)` : ''}`;
    }
    const shippingPerUnit = evaluation.rate.perUnit;
    const itemCost =
      entry.unitCost === undefined ? undefined : (entry.unitCost + (entry.dropshipFee ?? 0)) * line.quantity;
    return {
      ok: true,
      note,
      tier,
      position,
      confidence,
      entry,
      itemCost,
      lineCost: itemCost === undefined ? undefined : itemCost + shippingPerUnit * line.quantity,
      costPart: UNKNOWN_COST_PART,
    };
  }

  /** Cost and handling parts of the score are relative: the cheapest and the fastest candidate score 1. */
  private scoreCostParts(): void {
    this.byLine.forEach((evaluations, lineIndex) => {
      let cheapest = Infinity;
      for (const evaluation of evaluations) {
        const cost = evaluation.fits[lineIndex]!.lineCost;
        if (evaluation.fits[lineIndex]!.ok && cost !== undefined && cost < cheapest) cheapest = cost;
      }
      for (const evaluation of evaluations) {
        const fit = evaluation.fits[lineIndex]!;
        if (fit.ok && fit.lineCost !== undefined)
          fit.costPart = fit.lineCost === 0 ? 1 : cheapest / fit.lineCost;
      }
    });
    let fastest = Infinity;
    for (const evaluation of this.evaluations) {
      if (evaluation.dispatch && evaluation.okLines.length > 0) {
        fastest = Math.min(fastest, evaluation.dispatch.daysUntilDispatch);
      }
    }
    for (const evaluation of this.evaluations) {
      if (evaluation.dispatch)
        evaluation.handlingPart = (1 + fastest) / (1 + evaluation.dispatch.daysUntilDispatch);
    }
  }

  private option(evaluation: SupplierEval, lines: number[]): Option {
    const w = this.rules.weights;
    let tier = 0;
    let positions = 0;
    let confidence = 1;
    let costParts = 0;
    let itemCost: number | undefined = 0;
    let units = 0;
    let revenue = 0;
    for (const i of lines) {
      const fit = evaluation.fits[i]!;
      const line = this.lines[i]!;
      tier = Math.max(tier, fit.tier);
      positions += fit.position;
      confidence = Math.min(confidence, fit.confidence);
      costParts += fit.costPart;
      itemCost = itemCost === undefined || fit.itemCost === undefined ? undefined : itemCost + fit.itemCost;
      units += line.quantity;
      revenue += line.unitPrice * line.quantity;
    }
    const rate = evaluation.rate;
    const landedCost = itemCost === undefined ? undefined : itemCost + rate.base + rate.perUnit * units;
    const weighted =
      w.stock * confidence +
      w.cost * (costParts / lines.length) +
      w.handling * evaluation.handlingPart +
      w.performance * evaluation.performancePart;
    return {
      evaluation,
      lines,
      late: evaluation.late,
      tier,
      position: positions / lines.length,
      landedCost,
      margin: landedCost === undefined ? undefined : revenue - landedCost,
      score: this.weightSum > 0 ? weighted / this.weightSum : 0,
    };
  }

  /**
   * Ranks two options for the same lines. Documented tie-breaking: on-time before late, rule suppliers before
   * fallbacks, then the strategy's own measure, then higher score, lower landed cost, earlier position in the
   * rule, and finally the supplier id in code-point order, so equal inputs always give the same decision.
   */
  private compare(a: Option, b: Option): number {
    return (
      Number(a.late) - Number(b.late) ||
      a.tier - b.tier ||
      strategyMeasure(this.rules.strategy, a) - strategyMeasure(this.rules.strategy, b) ||
      b.score - a.score ||
      (a.landedCost ?? Infinity) - (b.landedCost ?? Infinity) ||
      a.position - b.position ||
      (a.evaluation.supplier.id < b.evaluation.supplier.id
        ? -1
        : a.evaluation.supplier.id > b.evaluation.supplier.id
          ? 1
          : 0)
    );
  }

  private best(options: Option[]): Option | undefined {
    let best: Option | undefined;
    for (const option of options) if (!best || this.compare(option, best) < 0) best = option;
    return best;
  }

  private fullCover(onTimeOnly: boolean): Option | undefined {
    const all = this.lines.map((_, i) => i);
    return this.best(
      this.evaluations
        .filter((e) => e.okLines.length === this.lines.length && !(onTimeOnly && e.late))
        .map((e) => this.option(e, all)),
    );
  }

  /** Greedy set cover: the supplier that takes the most remaining lines first, ties by the ranking. */
  private greedyCover(onTimeOnly: boolean): Option[] {
    const remaining = new Set(this.lines.map((_, i) => i));
    const chosen: Option[] = [];
    const pool = this.evaluations.filter((e) => e.okLines.length > 0 && !(onTimeOnly && e.late));
    while (remaining.size > 0) {
      // Only the suppliers that take the most remaining lines are ranked (building an option costs).
      let most = 0;
      let widest: { evaluation: SupplierEval; lines: number[] }[] = [];
      for (const evaluation of pool) {
        if (chosen.some((c) => c.evaluation === evaluation)) continue;
        const lines = evaluation.okLines.filter((i) => remaining.has(i));
        if (lines.length > most) {
          most = lines.length;
          widest = [{ evaluation, lines }];
        } else if (lines.length === most && most > 0) widest.push({ evaluation, lines });
      }
      const pick = this.best(widest.map(({ evaluation, lines }) => this.option(evaluation, lines)));
      if (!pick) break;
      chosen.push(pick);
      for (const i of pick.lines) remaining.delete(i);
    }
    return chosen;
  }

  /**
   * The split policy. never: one supplier for every line (on time if possible) or nothing. when_needed: one
   * supplier on time; else a split among on-time suppliers that covers everything; else one late supplier; else
   * the widest split, leaving what nobody can take. always: every line to its own best supplier.
   */
  private assign(): Option[] {
    const split = this.rules.split;
    if (split === 'always') {
      const perSupplier = new Map<SupplierEval, number[]>();
      this.lines.forEach((_, i) => {
        const best = this.best(this.byLine[i]!.filter((e) => e.fits[i]!.ok).map((e) => this.option(e, [i])));
        if (best) perSupplier.set(best.evaluation, [...(perSupplier.get(best.evaluation) ?? []), i]);
      });
      return [...perSupplier].map(([evaluation, lines]) => this.option(evaluation, lines));
    }
    const onTime = this.fullCover(true);
    if (onTime) return [onTime];
    if (split === 'never') {
      const any = this.fullCover(false);
      return any ? [any] : [];
    }
    const onTimeSplit = this.greedyCover(true);
    if (onTimeSplit.reduce((n, option) => n + option.lines.length, 0) === this.lines.length)
      return onTimeSplit;
    const late = this.fullCover(false);
    if (late) return [late];
    return this.greedyCover(false);
  }

  private assignment(option: Option): RoutingAssignment {
    const supplier = option.evaluation.supplier;
    const lines: PurchaseOrderLine[] = option.lines.map((i) => {
      const line = this.lines[i]!;
      const entry = option.evaluation.fits[i]!.entry;
      const poLine: PurchaseOrderLine = { orderLineId: line.lineId, sku: line.sku, quantity: line.quantity };
      if (entry?.supplierSku !== undefined) poLine.supplierSku = entry.supplierSku;
      if (line.title !== undefined) poLine.title = line.title;
      if (entry?.unitCost !== undefined) poLine.unitCost = entry.unitCost;
      return poLine;
    });
    const alternatives = this.evaluations
      .filter((e) => e !== option.evaluation && option.lines.every((i) => e.fits[i]?.ok))
      .map((e) => this.option(e, option.lines))
      .sort((a, b) => this.compare(a, b))
      .map((o) => o.evaluation.supplier.id);
    const result: RoutingAssignment = {
      supplierId: supplier.id,
      lines,
      alternatives,
      reason: this.assignmentReason(option),
      score: round(option.score),
    };
    if (option.landedCost !== undefined) result.landedCost = round(option.landedCost);
    if (option.late) result.late = true;
    if (option.evaluation.dispatch)
      result.estimatedDispatch = isoDateOfDayNumber(option.evaluation.dispatch.dispatchDay);
    return result;
  }

  private assignmentReason(option: Option): string {
    const parts: string[] = [];
    switch (this.rules.strategy) {
      case 'priority':
        parts.push(
          option.position === 0 ? 'first in the priority list' : 'highest in the priority list that can fill',
        );
        break;
      case 'lowest_cost':
        parts.push(
          option.landedCost === undefined
            ? 'lowest cost (no unit cost known)'
            : `lowest landed cost ${money(option.landedCost)}`,
        );
        break;
      case 'highest_margin':
        parts.push(
          option.margin === undefined
            ? 'highest margin (no unit cost known)'
            : `highest margin ${money(option.margin)}`,
        );
        break;
      case 'best_score':
        parts.push(`best score ${ratio(option.score)}`);
        break;
    }
    if (option.tier > 0) parts.push('fallback: no rule supplier could take these lines');
    if (option.late) parts.push('cannot ship by the promised date, but no supplier that can was available');
    if (option.lines.length < this.lines.length)
      parts.push('split: no single supplier can fill the whole order');
    return parts.join('; ');
  }

  private unroutedReason(lineIndex: number): string {
    const line = this.lines[lineIndex]!;
    const evaluations = this.byLine[lineIndex]!;
    if (evaluations.length === 0) {
      return this.rules.listsSuppliers
        ? `no supplier carries ${line.sku}`
        : `no rule sends ${line.sku} to a supplier and no supplier is declared`;
    }
    const refusals = evaluations.filter((e) => !e.fits[lineIndex]!.ok);
    if (refusals.length === evaluations.length) {
      return `no supplier can take ${line.sku}: ${refusals.map((e) => `${e.supplier.id} ${e.fits[lineIndex]!.note}`).join('; ')}`;
    }
    return `no single supplier can fill the whole order and the split policy is never`;
  }

  private rankedCandidates(): RoutingCandidate[] {
    const ranked = this.evaluations
      .map((evaluation) => ({
        evaluation,
        option: evaluation.okLines.length > 0 ? this.option(evaluation, evaluation.okLines) : undefined,
      }))
      .sort((a, b) => {
        const coverage = b.evaluation.okLines.length - a.evaluation.okLines.length;
        if (coverage !== 0 || !a.option || !b.option) {
          return coverage || (a.evaluation.supplier.id < b.evaluation.supplier.id ? -1 : 1);
        }
        return this.compare(a.option, b.option);
      });
    return ranked.map(({ evaluation, option }) => {
      const single = this.lines.length === 1;
      const reasons: string[] = [];
      evaluation.fits.forEach((fit, i) => {
        if (!fit) return;
        // On a one-line order "A: 12 left" reads better than "A: SKU-1: 12 left".
        reasons.push(single && fit.ok ? fit.note.slice(this.lines[i]!.sku.length + 2) : fit.note);
      });
      const candidate: RoutingCandidate = {
        supplierId: evaluation.supplier.id,
        eligible: option !== undefined,
        lineIds: evaluation.okLines.map((i) => this.lines[i]!.lineId),
        reasons,
      };
      if (option) {
        candidate.score = round(option.score);
        if (option.landedCost !== undefined) {
          candidate.landedCost = round(option.landedCost);
          reasons.push(`cost ${money(option.landedCost)}`);
        }
        if (evaluation.dispatch) {
          reasons.push(
            `ships ${isoDateOfDayNumber(evaluation.dispatch.dispatchDay)}${evaluation.late ? ' (after the promised date)' : ''}`,
          );
        }
        if (option.tier > 0) reasons.push('fallback');
        reasons.push(`score ${ratio(option.score)}`);
      }
      return candidate;
    });
  }

  private explain(
    assignments: RoutingAssignment[],
    unrouted: RoutingDecision['unrouted'],
    candidates: RoutingCandidate[],
  ): string[] {
    const sentences = candidates.map((c) => `${c.supplierId}: ${c.reasons.join('; ')}`);
    for (const assignment of assignments) {
      const lineIds = assignment.lines.map((l) => l.orderLineId).join(', ');
      const alternatives =
        assignment.alternatives.length > 0 ? `; alternatives ${assignment.alternatives.join(', ')}` : '';
      sentences.push(
        `Line${assignment.lines.length > 1 ? 's' : ''} ${lineIds} to ${assignment.supplierId}: ${assignment.reason}${alternatives}`,
      );
    }
    for (const line of unrouted)
      sentences.push(`Line ${line.orderLineId} (${line.sku}) not routed: ${line.reason}`);
    return sentences;
  }
}

function strategyMeasure(strategy: RoutingStrategy, option: Option): number {
  switch (strategy) {
    case 'priority':
      return option.position;
    case 'lowest_cost':
      return option.landedCost ?? Infinity;
    case 'highest_margin':
      return option.margin === undefined ? Infinity : -option.margin;
    case 'best_score':
      return -option.score;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Picks the suppliers for an order's shippable lines and explains why. Pure: the same order, rules and context
 * give the same decision. Lines that do not need shipping are neither assigned nor reported as unrouted.
 */
export function routeOrder(order: Order, rules: RoutingRules, context: RoutingContext): RoutingDecision {
  return new OrderRouting(order, compiledRules(rules), context).decide();
}
