//! Collects the wall time of every stage span (`dbdock_core::stage!`, target
//! `dbdock::stage`) by name, from the span's creation to its close.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tracing::span::{Attributes, Id};
use tracing::subscriber::Interest;
use tracing::{Metadata, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

#[derive(Clone, Default)]
pub struct StageTimes {
    samples: Arc<Mutex<BTreeMap<&'static str, Vec<Duration>>>>,
}

struct Opened(Instant);

impl StageTimes {
    /// Installs the collector as the process's subscriber: stage spans come alive from now on.
    pub fn install() -> StageTimes {
        use tracing_subscriber::layer::SubscriberExt;
        let times = StageTimes::default();
        let subscriber = tracing_subscriber::registry().with(times.clone());
        tracing::subscriber::set_global_default(subscriber).expect("no subscriber was installed before");
        times
    }

    /// The samples so far, by stage, and forgets them.
    pub fn take(&self) -> BTreeMap<&'static str, Vec<Duration>> {
        std::mem::take(&mut *self.samples.lock().unwrap())
    }
}

fn is_stage(metadata: &Metadata<'_>) -> bool {
    metadata.target() == dbdock_core::STAGE_TARGET
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for StageTimes {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if is_stage(metadata) { Interest::always() } else { Interest::never() }
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        is_stage(metadata)
    }

    fn on_new_span(&self, _: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Opened(Instant::now()));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(opened) = span.extensions().get::<Opened>().map(|o| o.0) else { return };
        self.samples.lock().unwrap().entry(span.metadata().name()).or_default().push(opened.elapsed());
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
}
