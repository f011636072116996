/**
 * A functional group we sent a trading partner (an X12 850's GS), waiting for the partner's 997: one row per
 * (supplier, functional id, group control number).
 */
export interface FunctionalGroupSent {
  supplierId: string;
  /** GS01: PO for 850s. */
  functionalId: string;
  /** GS06, as the partner's AK102 names it. */
  groupControlNumber: string;
  /** What the group held, in words: "850 PO123ABC-1". */
  document: string;
  poNumber?: string;
  sentAt: string;
  acknowledgedAt?: string;
  /** The 997's verdict (AK901 in words: accepted, rejected, …). */
  acknowledgement?: string;
  /** When the missing 997 was first reported overdue (reported once). */
  overdueReportedAt?: string;
}

/** The X12 functional groups sent to partners and their 997 acknowledgements. */
export interface FunctionalGroupStore {
  /** Records a functional group sent to a partner, awaiting its 997 (a resend of the same group changes nothing). */
  recordFunctionalGroupSent(
    group: Omit<FunctionalGroupSent, 'acknowledgedAt' | 'acknowledgement' | 'overdueReportedAt'>,
  ): Promise<void>;
  /** Records the partner's 997 for a group we sent; false when no such group was recorded. */
  recordFunctionalGroupAcknowledged(
    supplierId: string,
    functionalId: string,
    groupControlNumber: string,
    acknowledgement: string,
    at: Date,
  ): Promise<boolean>;
  /**
   * The groups of `supplierId` sent at or before `sentBefore` with no 997 yet and not reported overdue, each
   * marked reported at `now` in the same statement: every instance sees each overdue group once.
   */
  claimOverdueFunctionalGroups(
    supplierId: string,
    sentBefore: Date,
    now: Date,
  ): Promise<FunctionalGroupSent[]>;
  /** Every group still without a 997, oldest first (what the watchdog watches). */
  listUnacknowledgedFunctionalGroups(limit: number): Promise<FunctionalGroupSent[]>;
}
