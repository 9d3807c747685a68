import type { ReactNode } from "react";

type Props = { title: string; children?: ReactNode; actions?: ReactNode; testId?: string };

/** What a panel shows when it has nothing yet: what this place is for and what to do next. */
export function EmptyState({ title, children, actions, testId }: Props) {
  return (
    <div className="empty-state" data-testid={testId}>
      <div className="empty-title">{title}</div>
      {children && <div className="empty-body">{children}</div>}
      {actions && <div className="empty-actions">{actions}</div>}
    </div>
  );
}
