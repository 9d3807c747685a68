//! `dbdock kafka lag` and `dbdock kafka reset-offsets`, and `dbdock schema` on a Kafka
//! connection (topics and groups): the same workspace operations as the app and MCP.

use dbdock_app::Workspace;
use dbdock_core::{OffsetReset, Result, TopicStart};

use crate::args::{KafkaCommand, SchemaFormat};
use crate::context::{open_store, print, resolve};
use crate::render;

pub async fn run(command: KafkaCommand) -> Result<()> {
    let (KafkaCommand::Lag { connection, .. } | KafkaCommand::ResetOffsets { connection, .. }) = &command;
    let (resolved, _) = resolve(connection).await?;
    let workspace = Workspace::new(open_store().await?);
    let outcome = match &command {
        KafkaCommand::Lag { group, topic, format, .. } => workspace
            .consumer_group(&resolved, group, topic.as_deref())
            .await
            .and_then(|detail| render::group(&detail, *format)),
        KafkaCommand::ResetOffsets { group, topic, to, partition, dry_run, format, .. } => {
            let reset = OffsetReset {
                group: group.clone(),
                topic: topic.clone(),
                to: TopicStart::parse(to)?,
                partition: *partition,
            };
            workspace
                .reset_offsets(&resolved, &reset, !dry_run)
                .await
                .and_then(|plan| render::reset_plan(&plan, *format))
        }
    };
    workspace.close().await;
    print(&outcome?)
}

/// `dbdock schema` on a Kafka connection.
pub async fn catalog(connection: &crate::args::Connection, format: SchemaFormat) -> Result<()> {
    let (resolved, _) = resolve(connection).await?;
    let workspace = Workspace::new(open_store().await?);
    let catalog = workspace.topic_catalog(&resolved).await;
    workspace.close().await;
    print(&render::topic_catalog(&catalog?, format)?)
}
