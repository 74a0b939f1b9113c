import { Radio, RadioGroup, Field, Text, Title3 } from '@fluentui/react-components';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { CHANNEL_PAGES, PAGE_LABELS, pageParam, type PageId } from '../page-catalog.js';
import type { TabConfigHost } from '../teams-host.js';

/** The URL a channel tab opens: this tab on the chosen page (keeping the host origin teams-js must trust). */
export function channelTabUrl(page: PageId, location: { origin: string; search: string }): string {
  const params = new URLSearchParams({ page: pageParam(page) });
  const hostOrigin = new URLSearchParams(location.search).get('hostOrigin');
  if (hostOrigin) params.set('hostOrigin', hostOrigin);
  return `${location.origin}/tab/index.html?${params}`;
}

/**
 * The channel tab's configuration page (manifest `configurableTabs[0].configurationUrl`): the team
 * picks the page the channel shows; Teams' Save stores it through `pages.config.setConfig`.
 */
export function ConfigurePage(props: { config: TabConfigHost | undefined }): ReactNode {
  const [page, setPage] = useState<PageId>('health');
  const chosen = useRef(page);
  chosen.current = page;
  const { config } = props;
  useEffect(() => {
    if (!config) return;
    config.onSave(() => {
      const url = channelTabUrl(chosen.current, window.location);
      return config.setConfig({
        entityId: `presence-sync-${pageParam(chosen.current)}`,
        contentUrl: url,
        websiteUrl: url,
        suggestedDisplayName: `Presence Sync ${PAGE_LABELS[chosen.current]}`,
      });
    });
    // A page is chosen from the start, so Save is possible at once.
    config.setValid(true);
  }, [config]);
  return (
    <section aria-labelledby="configure-title" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
      <Title3 as="h2" id="configure-title">
        Add Presence Sync to this channel
      </Title3>
      {!config && (
        <Text role="note">This page configures a channel tab; open it from a team channel in Microsoft Teams.</Text>
      )}
      <Field label="The channel tab shows">
        <RadioGroup value={page} onChange={(_e, d) => setPage(d.value as PageId)}>
          {CHANNEL_PAGES.map((p) => (
            <Radio key={p} value={p} label={PAGE_LABELS[p]} />
          ))}
        </RadioGroup>
      </Field>
      <Text>
        Team members see it with their own Presence Sync role: admins and support engineers see the page, others are
        told they have no access.
      </Text>
    </section>
  );
}
