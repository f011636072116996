import type { PurchaseOrder, PurchaseOrderState } from '../../model/purchase-order';
import type {
  PortalAction,
  PortalActionKind,
  PortalCancelRequest,
  PortalSession,
  PortalStockRow,
  PortalStore,
} from '../portal-store';
import {
  portalActionFromRow,
  portalCancelRequestFromRow,
  purchaseOrderFromRow,
  type StoreRow as Row,
} from '../row-mapping';
import type { StoreClass } from '../store-class';
import type { PostgresStoreBase } from './postgres-store';

/** The supplier portal's state in the PostgreSQL store (its own migration). */
export function withPortal<T extends StoreClass<PostgresStoreBase>>(Base: T): T & StoreClass<PortalStore> {
  abstract class PostgresPortal extends Base implements PortalStore {
    private async portalRows(sql: string, values: unknown[]): Promise<Row[]> {
      return this.transaction(async (db) => (await db.query<Row>(sql, values)).rows);
    }

    private async portalChanged(sql: string, values: unknown[]): Promise<number> {
      return this.transaction(async (db) => (await db.query(sql, values)).rowCount ?? 0);
    }

    async recordLink(link: {
      id: string;
      supplierId: string;
      createdAt: Date;
      expiresAt: Date;
    }): Promise<void> {
      await this.portalChanged(
        `INSERT INTO portal_links (id, supplier_id, created_at, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
        [link.id, link.supplierId, link.createdAt.getTime(), link.expiresAt.getTime()],
      );
    }

    async linkUsable(id: string, supplierId: string, now: Date): Promise<boolean> {
      const rows = await this.portalRows(
        'SELECT 1 FROM portal_links WHERE id = $1 AND supplier_id = $2 AND expires_at > $3 AND revoked_at IS NULL',
        [id, supplierId, now.getTime()],
      );
      return rows.length === 1;
    }

    async revokeAccess(supplierId: string, now: Date): Promise<number> {
      return this.transaction(async (db) => {
        const revoked = await db.query(
          'UPDATE portal_links SET revoked_at = $1 WHERE supplier_id = $2 AND revoked_at IS NULL',
          [now.getTime(), supplierId],
        );
        await db.query('DELETE FROM portal_sessions WHERE supplier_id = $1', [supplierId]);
        await db.query('DELETE FROM portal_codes WHERE supplier_id = $1', [supplierId]);
        return revoked.rowCount ?? 0;
      });
    }

    async saveCode(supplierId: string, codeHash: string, expiresAt: Date): Promise<void> {
      await this.portalChanged(
        `INSERT INTO portal_codes (supplier_id, code_hash, expires_at, attempts) VALUES ($1, $2, $3, 0)
       ON CONFLICT (supplier_id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
         attempts = 0`,
        [supplierId, codeHash, expiresAt.getTime()],
      );
    }

    async useCode(supplierId: string, codeHash: string, now: Date, maxAttempts: number): Promise<boolean> {
      return this.transaction(async (db) => {
        const row = (
          await db.query<Row>(
            `UPDATE portal_codes SET attempts = attempts + 1 WHERE supplier_id = $1 AND expires_at > $2
           RETURNING code_hash, attempts`,
            [supplierId, now.getTime()],
          )
        ).rows[0];
        if (!row || Number(row.attempts) > maxAttempts || row.code_hash !== codeHash) return false;
        await db.query('DELETE FROM portal_codes WHERE supplier_id = $1', [supplierId]);
        return true;
      });
    }

    async createSession(session: {
      idHash: string;
      supplierId: string;
      actor: string;
      createdAt: Date;
      expiresAt: Date;
    }): Promise<void> {
      await this.transaction(async (db) => {
        await db.query('DELETE FROM portal_sessions WHERE expires_at <= $1', [session.createdAt.getTime()]);
        await db.query(
          `INSERT INTO portal_sessions (id_hash, supplier_id, actor, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)`,
          [
            session.idHash,
            session.supplierId,
            session.actor,
            session.createdAt.getTime(),
            session.expiresAt.getTime(),
          ],
        );
      });
    }

    async session(idHash: string, now: Date): Promise<PortalSession | undefined> {
      const [row] = await this.portalRows(
        'SELECT supplier_id, actor, expires_at FROM portal_sessions WHERE id_hash = $1 AND expires_at > $2',
        [idHash, now.getTime()],
      );
      return row
        ? {
            supplierId: String(row.supplier_id),
            actor: String(row.actor),
            expiresAt: new Date(Number(row.expires_at)).toISOString(),
          }
        : undefined;
    }

    async endSession(idHash: string): Promise<void> {
      await this.portalChanged('DELETE FROM portal_sessions WHERE id_hash = $1', [idHash]);
    }

    async issueFormToken(tokenHash: string, bindingHash: string, expiresAt: Date, now: Date): Promise<void> {
      await this.transaction(async (db) => {
        await db.query('DELETE FROM portal_form_tokens WHERE expires_at <= $1', [now.getTime()]);
        await db.query(
          'INSERT INTO portal_form_tokens (token_hash, binding_hash, expires_at) VALUES ($1, $2, $3)',
          [tokenHash, bindingHash, expiresAt.getTime()],
        );
      });
    }

    async useFormToken(tokenHash: string, bindingHash: string, now: Date): Promise<boolean> {
      return (
        (await this.portalChanged(
          'DELETE FROM portal_form_tokens WHERE token_hash = $1 AND binding_hash = $2 AND expires_at > $3',
          [tokenHash, bindingHash, now.getTime()],
        )) === 1
      );
    }

    async listPortalPurchaseOrders(
      supplierId: string,
      states: PurchaseOrderState[],
      limit: number,
    ): Promise<PurchaseOrder[]> {
      const rows = await this.portalRows(
        `SELECT * FROM purchase_orders WHERE supplier_id = $1 AND state = ANY($2)
       ORDER BY created_at DESC, number COLLATE "C" LIMIT $3`,
        [supplierId, states, limit],
      );
      return rows.map(purchaseOrderFromRow);
    }

    async listPortalStock(supplierId: string): Promise<PortalStockRow[]> {
      const rows = await this.portalRows(
        'SELECT sku, quantity, feed_at FROM inventory WHERE supplier_id = $1 ORDER BY sku COLLATE "C"',
        [supplierId],
      );
      return rows.map((row) => ({
        sku: String(row.sku),
        quantity: Number(row.quantity),
        feedAt: new Date(Number(row.feed_at)).toISOString(),
      }));
    }

    async recordAction(
      action: Omit<PortalAction, 'id' | 'createdAt' | 'readAt'>,
      at: Date,
    ): Promise<PortalAction> {
      const [row] = await this.portalRows(
        `INSERT INTO portal_actions (supplier_id, po_number, kind, payload, actor, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [
          action.supplierId,
          action.poNumber ?? null,
          action.kind,
          JSON.stringify(action.payload),
          action.actor,
          at.getTime(),
        ],
      );
      return portalActionFromRow(row!);
    }

    async unreadActions(supplierId: string, kind: PortalActionKind, limit: number): Promise<PortalAction[]> {
      const rows = await this.portalRows(
        `SELECT * FROM portal_actions WHERE supplier_id = $1 AND kind = $2 AND read_at IS NULL ORDER BY id LIMIT $3`,
        [supplierId, kind, limit],
      );
      return rows.map(portalActionFromRow);
    }

    async markActionRead(id: number, at: Date): Promise<void> {
      await this.portalChanged('UPDATE portal_actions SET read_at = $1 WHERE id = $2 AND read_at IS NULL', [
        at.getTime(),
        id,
      ]);
    }

    async listActions(query: {
      supplierId?: string;
      poNumber?: string;
      limit: number;
    }): Promise<PortalAction[]> {
      const rows = await this.portalRows(
        `SELECT * FROM portal_actions WHERE ($1::text IS NULL OR supplier_id = $1)
         AND ($2::text IS NULL OR po_number = $2)
       ORDER BY id DESC LIMIT $3`,
        [query.supplierId ?? null, query.poNumber ?? null, query.limit],
      );
      return rows.map(portalActionFromRow);
    }

    async requestCancel(request: Omit<PortalCancelRequest, 'confirmedAt' | 'confirmedBy'>): Promise<void> {
      await this.portalChanged(
        `INSERT INTO portal_cancel_requests (po_number, supplier_id, reason, requested_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (po_number) DO NOTHING`,
        [request.poNumber, request.supplierId, request.reason, Date.parse(request.requestedAt)],
      );
    }

    async confirmCancel(poNumber: string, supplierId: string, actor: string, at: Date): Promise<boolean> {
      return (
        (await this.portalChanged(
          `UPDATE portal_cancel_requests SET confirmed_at = $1, confirmed_by = $2
         WHERE po_number = $3 AND supplier_id = $4 AND confirmed_at IS NULL`,
          [at.getTime(), actor, poNumber, supplierId],
        )) === 1
      );
    }

    async cancelRequests(supplierId: string): Promise<PortalCancelRequest[]> {
      const rows = await this.portalRows(
        'SELECT * FROM portal_cancel_requests WHERE supplier_id = $1 ORDER BY requested_at DESC',
        [supplierId],
      );
      return rows.map(portalCancelRequestFromRow);
    }
  }
  return PostgresPortal;
}
