/** A status shown as icon + text (never colour alone); `data-status` for styling and tests. */
export function StatusTag({
  status,
  label,
  icon,
  className = '',
}: {
  status: string;
  label: string;
  icon: string;
  className?: string;
}) {
  return (
    <span className={`status-tag status-tag--${status} ${className}`} data-status={status}>
      <span className="status-tag__icon" aria-hidden="true">
        {icon}
      </span>
      {label}
    </span>
  );
}
