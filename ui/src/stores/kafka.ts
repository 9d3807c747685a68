// The Kafka browser's state per connection: the catalog (brokers, topics, groups), the
// filter and what is selected, kept while the user visits other views (e.g. after "Tail in
// Events"). A group's lag is polled by its panel only while it is open (views/kafka/).

import { api, toAppError, type AppError, type TopicCatalogView } from "../api";
import { buildTarget } from "../lib/events";
import { startMonitor } from "./events";
import { offerHostKey } from "./hostKeys";
import { createStore } from "./store";
import { showView } from "./ui";

export type KafkaSelection = { kind: "topic" | "group"; name: string } | null;

export type KafkaEntry = {
  catalog: TopicCatalogView | null;
  loading: boolean;
  error: AppError | null;
  filter: string;
  selected: KafkaSelection;
};

const EMPTY: KafkaEntry = { catalog: null, loading: false, error: null, filter: "", selected: null };

export const kafkaStore = createStore<ReadonlyMap<string, KafkaEntry>>(new Map());

export function kafkaEntryOf(all: ReadonlyMap<string, KafkaEntry>, profile: string): KafkaEntry {
  return all.get(profile) ?? EMPTY;
}

export function updateKafka(profile: string, change: (entry: KafkaEntry) => KafkaEntry): void {
  kafkaStore.set((all) => new Map(all).set(profile, change(kafkaEntryOf(all, profile))));
}

const inFlight = new Map<string, Promise<void>>();

/** Reads the catalog (once; `force` reads it again). Callers during a read wait for that read. */
export function loadCatalog(profile: string, force = false): Promise<void> {
  const pending = inFlight.get(profile);
  if (pending) return pending;
  if (!force && kafkaEntryOf(kafkaStore.get(), profile).catalog !== null) return Promise.resolve();
  const load = (async () => {
    updateKafka(profile, (e) => ({ ...e, loading: true, error: null }));
    try {
      const catalog = await api.kafkaCatalog(profile);
      updateKafka(profile, (e) => ({ ...e, catalog, loading: false }));
    } catch (error) {
      const appError = toAppError(error);
      updateKafka(profile, (e) => ({ ...e, loading: false, error: appError }));
      // A jump host's unknown key is asked about; accepting it reads the catalog again.
      offerHostKey(profile, appError, () => loadCatalog(profile, true));
    } finally {
      inFlight.delete(profile);
    }
  })();
  inFlight.set(profile, load);
  return load;
}

/** Starts a monitor tailing `topic` (from its end) and shows it in the Events view. */
export async function tailTopic(profile: string, topic: string): Promise<void> {
  const target = buildTarget("topic", topic);
  if (target === null) return;
  await startMonitor(profile, target);
  showView("events");
}
