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
import type { SqliteStoreBase } from './sqlite-store';

/** The supplier portal's state in the SQLite store (its own migration). */
export function withPortal<T extends StoreClass<SqliteStoreBase>>(Base: T): T & StoreClass<PortalStore> {
  abstract class SqlitePortal extends Base implements PortalStore {
    async recordLink(link: {
      id: string;
      supplierId: string;
      createdAt: Date;
      expiresAt: Date;
    }): Promise<void> {
      this.statement(
        'INSERT INTO portal_links (id, supplier_id, created_at, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ).run(link.id, link.supplierId, link.createdAt.getTime(), link.expiresAt.getTime());
    }

    async linkUsable(id: string, supplierId: string, now: Date): Promise<boolean> {
      return (
        this.statement(
          'SELECT 1 FROM portal_links WHERE id = ? AND supplier_id = ? AND expires_at > ? AND revoked_at IS NULL',
        ).get(id, supplierId, now.getTime()) !== undefined
      );
    }

    async revokeAccess(supplierId: string, now: Date): Promise<number> {
      return this.db.transaction(() => {
        const revoked = this.statement(
          'UPDATE portal_links SET revoked_at = ? WHERE supplier_id = ? AND revoked_at IS NULL',
        ).run(now.getTime(), supplierId).changes;
        this.statement('DELETE FROM portal_sessions WHERE supplier_id = ?').run(supplierId);
        this.statement('DELETE FROM portal_codes WHERE supplier_id = ?').run(supplierId);
        return revoked;
      })();
    }

    async saveCode(supplierId: string, codeHash: string, expiresAt: Date): Promise<void> {
      this.statement(
        `INSERT INTO portal_codes (supplier_id, code_hash, expires_at, attempts) VALUES (?, ?, ?, 0)
       ON CONFLICT (supplier_id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
         attempts = 0`,
      ).run(supplierId, codeHash, expiresAt.getTime());
    }

    async useCode(supplierId: string, codeHash: string, now: Date, maxAttempts: number): Promise<boolean> {
      return this.db
        .transaction(() => {
          const row = this.statement(
            `UPDATE portal_codes SET attempts = attempts + 1 WHERE supplier_id = ? AND expires_at > ?
         RETURNING code_hash, attempts`,
          ).get(supplierId, now.getTime()) as Row | undefined;
          if (!row || Number(row.attempts) > maxAttempts || row.code_hash !== codeHash) return false;
          this.statement('DELETE FROM portal_codes WHERE supplier_id = ?').run(supplierId);
          return true;
        })
        .immediate();
    }

    async createSession(session: {
      idHash: string;
      supplierId: string;
      actor: string;
      createdAt: Date;
      expiresAt: Date;
    }): Promise<void> {
      this.db.transaction(() => {
        this.statement('DELETE FROM portal_sessions WHERE expires_at <= ?').run(session.createdAt.getTime());
        this.statement(
          'INSERT INTO portal_sessions (id_hash, supplier_id, actor, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
        ).run(
          session.idHash,
          session.supplierId,
          session.actor,
          session.createdAt.getTime(),
          session.expiresAt.getTime(),
        );
      })();
    }

    async session(idHash: string, now: Date): Promise<PortalSession | undefined> {
      const row = this.statement(
        'SELECT supplier_id, actor, expires_at FROM portal_sessions WHERE id_hash = ? AND expires_at > ?',
      ).get(idHash, now.getTime()) as Row | undefined;
      return row
        ? {
            supplierId: String(row.supplier_id),
            actor: String(row.actor),
            expiresAt: new Date(Number(row.expires_at)).toISOString(),
          }
        : undefined;
    }

    async endSession(idHash: string): Promise<void> {
      this.statement('DELETE FROM portal_sessions WHERE id_hash = ?').run(idHash);
    }

    async issueFormToken(tokenHash: string, bindingHash: string, expiresAt: Date, now: Date): Promise<void> {
      this.db.transaction(() => {
        this.statement('DELETE FROM portal_form_tokens WHERE expires_at <= ?').run(now.getTime());
        this.statement(
          'INSERT INTO portal_form_tokens (token_hash, binding_hash, expires_at) VALUES (?, ?, ?)',
        ).run(tokenHash, bindingHash, expiresAt.getTime());
      })();
    }

    async useFormToken(tokenHash: string, bindingHash: string, now: Date): Promise<boolean> {
      return (
        this.statement(
          'DELETE FROM portal_form_tokens WHERE token_hash = ? AND binding_hash = ? AND expires_at > ?',
        ).run(tokenHash, bindingHash, now.getTime()).changes === 1
      );
    }

    async listPortalPurchaseOrders(
      supplierId: string,
      states: PurchaseOrderState[],
      limit: number,
    ): Promise<PurchaseOrder[]> {
      const rows = this.statement(
        `SELECT * FROM purchase_orders WHERE supplier_id = ? AND state IN (SELECT value FROM json_each(?))
       ORDER BY created_at DESC, number LIMIT ?`,
      ).all(supplierId, JSON.stringify(states), limit) as Row[];
      return rows.map(purchaseOrderFromRow);
    }

    async listPortalStock(supplierId: string): Promise<PortalStockRow[]> {
      const rows = this.statement(
        'SELECT sku, quantity, feed_at FROM inventory WHERE supplier_id = ? ORDER BY sku',
      ).all(supplierId) as Row[];
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
      const row = this.statement(
        `INSERT INTO portal_actions (supplier_id, po_number, kind, payload, actor, created_at)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
      ).get(
        action.supplierId,
        action.poNumber ?? null,
        action.kind,
        JSON.stringify(action.payload),
        action.actor,
        at.getTime(),
      ) as Row;
      return portalActionFromRow(row);
    }

    async unreadActions(supplierId: string, kind: PortalActionKind, limit: number): Promise<PortalAction[]> {
      const rows = this.statement(
        `SELECT * FROM portal_actions WHERE supplier_id = ? AND kind = ? AND read_at IS NULL ORDER BY id LIMIT ?`,
      ).all(supplierId, kind, limit) as Row[];
      return rows.map(portalActionFromRow);
    }

    async markActionRead(id: number, at: Date): Promise<void> {
      this.statement('UPDATE portal_actions SET read_at = ? WHERE id = ? AND read_at IS NULL').run(
        at.getTime(),
        id,
      );
    }

    async listActions(query: {
      supplierId?: string;
      poNumber?: string;
      limit: number;
    }): Promise<PortalAction[]> {
      const rows = this.statement(
        `SELECT * FROM portal_actions WHERE (@supplierId IS NULL OR supplier_id = @supplierId)
         AND (@poNumber IS NULL OR po_number = @poNumber)
       ORDER BY id DESC LIMIT @limit`,
      ).all({
        supplierId: query.supplierId ?? null,
        poNumber: query.poNumber ?? null,
        limit: query.limit,
      }) as Row[];
      return rows.map(portalActionFromRow);
    }

    async requestCancel(request: Omit<PortalCancelRequest, 'confirmedAt' | 'confirmedBy'>): Promise<void> {
      this.statement(
        `INSERT INTO portal_cancel_requests (po_number, supplier_id, reason, requested_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (po_number) DO NOTHING`,
      ).run(request.poNumber, request.supplierId, request.reason, Date.parse(request.requestedAt));
    }

    async confirmCancel(poNumber: string, supplierId: string, actor: string, at: Date): Promise<boolean> {
      return (
        this.statement(
          `UPDATE portal_cancel_requests SET confirmed_at = ?, confirmed_by = ?
         WHERE po_number = ? AND supplier_id = ? AND confirmed_at IS NULL`,
        ).run(at.getTime(), actor, poNumber, supplierId).changes === 1
      );
    }

    async cancelRequests(supplierId: string): Promise<PortalCancelRequest[]> {
      const rows = this.statement(
        'SELECT * FROM portal_cancel_requests WHERE supplier_id = ? ORDER BY requested_at DESC',
      ).all(supplierId) as Row[];
      return rows.map(portalCancelRequestFromRow);
    }
  }
  return SqlitePortal;
}
