import type { App } from '@slack/bolt';
import { actions, button, homeBlocks, homeView, ASK_ACTIONS } from '../blocks/index.js';
import type { ListenerDeps } from '../deps.js';
import { homeOpenedEvent } from '../payloads.js';

/** The App Home tab: recent alerts, pending approvals, digests (later issues fill them). */
export function registerHome(app: App, deps: ListenerDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    const parsed = homeOpenedEvent.safeParse(event);
    if (!parsed.success || (parsed.data.tab !== undefined && parsed.data.tab !== 'home')) return;
    deps.metrics.slackEventsReceived.inc({ kind: 'app_home_opened' });
    const userId = parsed.data.user;
    const [report, timeZone] = await Promise.all([deps.services.home(userId), deps.zoneOf(userId)]);
    const blocks = [
      ...actions([button({ text: 'Ask a question', actionId: ASK_ACTIONS.openAsk, style: 'primary' })]),
      ...homeBlocks(report, { now: deps.now(), timeZone }),
    ];
    await client.views.publish({ user_id: userId, view: homeView(blocks) });
  });
}
