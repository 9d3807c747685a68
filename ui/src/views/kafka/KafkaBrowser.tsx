import { useEffect } from "react";
import type { TopicCatalogView, TopicView } from "../../api";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Spinner } from "../../components/Spinner";
import { plural } from "../../lib/format";
import { brokersText } from "../../lib/kafka";
import { kafkaEntryOf, kafkaStore, loadCatalog } from "../../stores/kafka";
import { useStore } from "../../stores/store";
import { CatalogLists } from "./CatalogLists";
import { GroupPanel } from "./GroupPanel";
import { TopicPanel } from "./TopicPanel";

const NO_TOPICS: readonly TopicView[] = [];

/**
 * Topics and consumer groups of a connection whose engine has them (Kafka), where a database
 * shows its schema: the lists on the left, the selected topic or group on the right.
 */
export function KafkaBrowser({ profile }: { profile: string }) {
  const entry = kafkaEntryOf(useStore(kafkaStore), profile);
  const { catalog, selected } = entry;

  useEffect(() => {
    void loadCatalog(profile);
  }, [profile]);

  return (
    <div className="kafka-browser" data-testid="kafka-browser" data-profile={profile}>
      <div className="kafka-cluster-line" data-testid="kafka-cluster">
        {catalog ? <ClusterFacts catalog={catalog} /> : <span className="muted">{entry.loading ? "Reading the cluster…" : ""}</span>}
        <span className="spacer" />
        {entry.loading && <Spinner label="Reading the cluster" />}
        <button type="button" className="button small" data-testid="kafka-refresh" disabled={entry.loading} onClick={() => void loadCatalog(profile, true)}>
          Refresh
        </button>
      </div>
      {entry.error && <ErrorNotice error={entry.error} testId="kafka-error" />}
      <div className="kafka-body">
        <div className="kafka-lists-pane">
          {catalog ? (
            <CatalogLists profile={profile} catalog={catalog} filter={entry.filter} selected={selected} />
          ) : (
            entry.loading && (
              <div className="loading-line">
                <Spinner /> Reading topics and consumer groups…
              </div>
            )
          )}
        </div>
        <div className="kafka-detail-pane">
          {selected?.kind === "group" ? (
            <GroupPanel key={`${profile}\n${selected.name}`} profile={profile} group={selected.name} topics={catalog?.topics ?? NO_TOPICS} />
          ) : selected?.kind === "topic" && catalog ? (
            <TopicPanel profile={profile} topic={catalog.topics.find((t) => t.name === selected.name) ?? null} name={selected.name} />
          ) : (
            <EmptyState title="Select a topic or a consumer group">
              A topic shows its partitions and settings; a group its members, its lag per partition (live), and the offset reset.
            </EmptyState>
          )}
        </div>
      </div>
    </div>
  );
}

/** The header line: which cluster, through which brokers, how much is in it. */
function ClusterFacts({ catalog }: { catalog: TopicCatalogView }) {
  return (
    <>
      <span>
        Cluster <strong className="mono" data-testid="kafka-cluster-id">{catalog.clusterId ?? "(id not reported)"}</strong>
      </span>
      <span className="muted" data-testid="kafka-brokers" data-count={catalog.brokers.length} title={brokersText(catalog.brokers)}>
        {plural(catalog.brokers.length, "broker")}: <span className="mono">{brokersText(catalog.brokers)}</span>
      </span>
      <span className="muted">
        {plural(catalog.topics.length, "topic")}, {plural(catalog.groups.length, "group")}
      </span>
    </>
  );
}
