/**
 * A FlowFuse Dashboard plugin (hook API, type `node-red-dashboard-2`): names the operator who logged in to the
 * dashboard in every message its widgets send into the flows, as `msg._client.user.username`, the place the
 * dashboard's documentation gives user data. The login is the one the dashboard's socket middleware checked
 * (operatorSocketGate, configured as `dashboard.ioMiddleware` in Node-RED's settings); the watchdog records that
 * name as the actor of an operator action.
 */
import { operatorOf } from './operator-access';
import type { NodeAPI } from './node-red';

interface DashboardConnection {
  request?: object;
}

type DashboardMessage = Record<string, unknown> & { _client?: Record<string, unknown> };

export = function registerDashboardOperator(RED: NodeAPI): void {
  (
    RED.plugins as unknown as { registerPlugin(id: string, definition: Record<string, unknown>): void }
  ).registerPlugin('dropship-dashboard-operator', {
    type: 'node-red-dashboard-2',
    hooks: {
      onAddConnectionCredentials(conn: DashboardConnection, msg: DashboardMessage): DashboardMessage {
        const username = operatorOf(conn.request);
        if (username === undefined) return msg;
        const client = msg._client ?? {};
        const user = typeof client.user === 'object' && client.user !== null ? client.user : {};
        msg._client = { ...client, user: { ...user, username } };
        return msg;
      },
    },
  });
};
