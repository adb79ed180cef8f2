import { SettingSwitch } from './SettingSwitch';
import {
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type KeyboardEvent,
  type RefObject,
} from 'react';
import type { JobStatus } from '../../../contract/enums';
import { CALLED_OFF_JOB, TERMINAL_JOB } from '../../../contract/job-status';
import { allowedNext } from '../../../contract/state-machine';
import { ApiError } from '../lib/api';
import type { BoardCard, BoardColumn, BulkJobsResult, WaitlistItem } from '../../../contract/responses';
import { formatDateTime, formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { Link, navigate } from '../lib/router';
import { OpenLink } from '../ui/OpenLink';
import { toast } from '../lib/toast';
import { ConnectionBadge } from '../ui/ConnectionBadge';
import { Dialog } from '../ui/Dialog';
import { ErrorNotice, errorMessage, toastError } from '../ui/ErrorNotice';
import {
  assignJob,
  assignWaitlisted,
  bulkJobs,
  cancelJob,
  getDashboard,
  listWaitlist,
  loadBoard,
  moveJob,
  promoteWaitlisted,
} from './admin-api';
import { useAdmin } from './AdminData';
import { NewJobDialog } from './NewJobDialog';
import { strings } from './strings';
import { Tiles } from '../ui/Tiles';

/**
 * The dispatch board (after Edgar's Status Board): a column per status with its count and
 * sum, cards dragged between columns or moved with the keyboard through "Move to…".
 * Every move shows at once and is undone, with a message saying why, if the server refuses.
 * Finished columns fold to a strip (a storm needs the open ones in view); cards can be
 * picked for one bulk assignment or cancellation.
 */

type Pending = { card: BoardCard; to: JobStatus } | null;
/** Where the keyboard focus goes once the board has re-rendered. */
type FocusTarget = { card: string } | { column: JobStatus };

/** Columns that start folded: nothing more happens to their jobs by itself. */
const FOLDABLE: readonly JobStatus[] = TERMINAL_JOB;
const UNFOLDED_KEY = 'plowdispatch.board.unfolded';

/** Which foldable columns the dispatcher opened, kept across visits. */
function useUnfolded(): [ReadonlySet<JobStatus>, (status: JobStatus) => void] {
  const [open, setOpen] = useState<ReadonlySet<JobStatus>>(() => {
    try {
      return new Set(JSON.parse(localStorage.getItem(UNFOLDED_KEY) ?? '[]') as JobStatus[]);
    } catch {
      return new Set();
    }
  });
  const toggle = (status: JobStatus) =>
    setOpen((before) => {
      const next = new Set(before);
      if (!next.delete(status)) next.add(status);
      try {
        localStorage.setItem(UNFOLDED_KEY, JSON.stringify([...next]));
      } catch {
        // storage blocked: the fold lasts this visit
      }
      return next;
    });
  return [open, toggle];
}

export function BoardPage() {
  const s = strings.board;
  const admin = useAdmin();
  const board = useResource((signal) => loadBoard(signal), `board:${admin.jobsVersion}`);
  const [columns, setColumns] = useState<BoardColumn[] | null>(null);
  const [query, setQuery] = useState('');
  const [driverFilter, setDriverFilter] = useState('');
  const [picking, setPicking] = useState<Pending>(null);
  const [confirming, setConfirming] = useState<Pending>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const [newJob, setNewJob] = useState(false);
  const [unfolded, toggleFold] = useUnfolded();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulk, setBulk] = useState<'assign' | 'cancel' | null>(null);
  const inFlight = useRef(0);
  // A card moved by keyboard lands in another column (a new element): its "Move to…"
  // button there gets the focus back, so the dispatcher can carry on from the card. After
  // an assignment or a cancellation the focus goes to the next card of the column instead
  // (or the column itself), never to the page.
  const refocus = useRef<FocusTarget | null>(null);
  useEffect(() => {
    const t = refocus.current;
    if (!t || !columns) return;
    const target =
      'card' in t
        ? (document.querySelector<HTMLElement>(`article[data-job-id="${t.card}"] [aria-haspopup="menu"]`) ??
          document.querySelector<HTMLElement>(`article[data-job-id="${t.card}"] a`))
        : document.querySelector<HTMLElement>(`[data-column="${t.column}"] [data-column-title]`);
    if (!target) return;
    refocus.current = null;
    target.focus();
  }, [columns]);

  // Server truth replaces the local board unless a move is still on its way.
  useEffect(() => {
    if (board.data && inFlight.current === 0) setColumns(board.data);
  }, [board.data]);

  const drivers = admin.drivers ?? [];
  const q = query.trim().toLowerCase();
  const filtering = q !== '' || driverFilter !== '';
  const visible = (c: BoardCard) =>
    (!q || `${c.job_address} ${c.customer_name} ${c.driver_name ?? ''}`.toLowerCase().includes(q)) &&
    (!driverFilter || (driverFilter === '-' ? !c.driver_id : c.driver_id === driverFilter));

  const targetsOf = (card: BoardCard): JobStatus[] =>
    (card.allowed_next.length ? card.allowed_next : allowedNext(card.status, 'admin')).filter((t) => t !== card.status);
  const selectable = (card: BoardCard) => targetsOf(card).some((t) => t === 'assigned' || t === 'cancelled');

  const allCards = columns?.flatMap((c) => c.cards) ?? [];
  const picked = allCards.filter((c) => selected.has(c.id));

  /** The card after `card` in its column as shown (else the one before), else the column. */
  const nextAfter = (card: BoardCard): FocusTarget => {
    const shown = columns?.find((c) => c.status === card.status)?.cards.filter(visible) ?? [];
    const i = shown.findIndex((c) => c.id === card.id);
    const next = shown[i + 1] ?? shown[i - 1];
    return next && next.id !== card.id ? { card: next.id } : { column: card.status };
  };

  /** Optimistic move: the card jumps now, the server is asked, a refusal puts it back. */
  const apply = async (card: BoardCard, to: JobStatus, call: () => Promise<unknown>, driverName?: string) => {
    const before = columns;
    if (!before) return;
    const keyboard = refocus.current !== null;
    const moved: BoardCard = { ...card, status: to, ...(driverName ? { driver_name: driverName } : {}) };
    setColumns(
      before.map((col) => {
        if (col.status === card.status) {
          const cards = col.cards.filter((c) => c.id !== card.id);
          return { ...col, cards, count: col.count - 1, total_price_cents: col.total_price_cents - card.price_cents };
        }
        if (col.status === to)
          return {
            ...col,
            cards: [moved, ...col.cards],
            count: col.count + 1,
            total_price_cents: col.total_price_cents + card.price_cents,
          };
        return col;
      }),
    );
    inFlight.current += 1;
    try {
      await call();
      toast.show({
        kind: 'ok',
        message: driverName
          ? s.assigned(card.job_address, driverName)
          : s.moved(card.job_address, strings.jobStatus[to]),
      });
    } catch (err) {
      if (keyboard) refocus.current = { card: card.id }; // back in its column: the focus follows it
      setColumns(before);
      const why = err instanceof ApiError && err.status === 409 ? s.lostRace : errorMessage(err, strings.errors);
      toast.show({ kind: 'error', message: s.moveFailed(card.job_address, strings.jobStatus[card.status], why) });
    } finally {
      inFlight.current -= 1;
      admin.bumpJobs();
    }
  };

  const requestMove = (card: BoardCard, to: JobStatus, byKeyboard = false) => {
    if (to === card.status || !targetsOf(card).includes(to)) return;
    if (to === 'assigned' && card.status === 'pending') return setPicking({ card, to });
    if (to === 'cancelled') return setConfirming({ card, to });
    // A dispute needs the customer's complaint, its settlement an outcome: both in the drawer.
    if (to === 'disputed' || card.status === 'disputed') return goToJob(card.id);
    if (byKeyboard) refocus.current = { card: card.id };
    void apply(card, to, () => moveJob(card.id, to, card.version));
  };

  const assignTo = (card: BoardCard, driverId: string) => {
    const name = drivers.find((d) => d.id === driverId)?.full_name ?? '';
    refocus.current = nextAfter(card);
    void apply(card, 'assigned', () => assignJob(card.id, driverId, card.version), name);
  };

  const onDrop = (to: JobStatus) => (e: DragEvent) => {
    e.preventDefault();
    const id = e.dataTransfer.getData('text/plain') || dragging;
    setDragging(null);
    const card = columns?.flatMap((c) => c.cards).find((c) => c.id === id);
    if (card) requestMove(card, to);
  };

  const toggleSelected = (id: string) =>
    setSelected((before) => {
      const next = new Set(before);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  /** One request for the picked cards; what changed and what did not is said in one toast each. */
  const runBulk = async (action: 'assign' | 'cancel', value: string) => {
    const cards = picked;
    setBulk(null);
    if (cards.length === 0) return;
    const first = cards[0]!;
    refocus.current = nextAfter(first);
    let result: BulkJobsResult;
    try {
      result = await bulkJobs(
        action === 'assign'
          ? { action, job_ids: cards.map((c) => c.id), driver_id: value }
          : { action, job_ids: cards.map((c) => c.id), reason: value },
      );
    } catch (err) {
      refocus.current = null;
      toastError(err, strings.errors);
      return;
    }
    setSelected(new Set());
    const address = new Map(cards.map((c) => [c.id, c.job_address]));
    if (result.succeeded > 0)
      toast.show({
        kind: 'ok',
        message:
          action === 'assign'
            ? s.bulkAssigned(result.succeeded, drivers.find((d) => d.id === value)?.full_name ?? '')
            : s.bulkCancelled(result.succeeded),
      });
    const failed = result.results.filter((r) => !r.ok);
    if (failed.length > 0)
      toast.show({
        kind: 'error',
        message: s.bulkFailed(
          failed
            .map((r) =>
              s.bulkFailure(
                address.get(r.job_id) ?? r.job_id,
                r.status === 409 ? s.changedMeanwhile : (r.error?.message ?? strings.errors.generic),
              ),
            )
            .join('; '),
        ),
      });
    admin.bumpJobs();
  };

  return (
    <div className="board-page">
      <div className="row page-head">
        <h1>{s.title}</h1>
        <button type="button" className="button button--primary" onClick={() => setNewJob(true)}>
          {strings.office.newJob}
        </button>
        <span className="app__spacer" />
        <SettingSwitch
          setting="accepting_jobs"
          label={strings.board.acceptingJobs}
          on={strings.board.acceptingOn}
          off={strings.board.acceptingOff}
        />
        {/* The operator-wide rule; a job's own setting (in its drawer) wins over it. */}
        <SettingSwitch
          setting="require_after_photo"
          label={strings.board.afterPhoto}
          on={strings.board.afterPhotoOn}
          off={strings.board.afterPhotoOff}
        />
        <ConnectionBadge state={admin.connection} strings={strings.connection} />
      </div>
      <SetupBanner />
      <DashboardTiles />
      <div className="row board__filters" role="search" aria-label={s.filters}>
        <label className="visually-hidden" htmlFor="board-search">
          {s.search}
        </label>
        <input
          id="board-search"
          type="search"
          placeholder={s.search}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          className="grow"
        />
        <label htmlFor="board-driver">{s.driverFilter}</label>
        <select id="board-driver" value={driverFilter} onChange={(e) => setDriverFilter(e.target.value)}>
          <option value="">{s.anyDriver}</option>
          <option value="-">{s.unassigned}</option>
          {drivers.map((d) => (
            <option key={d.id} value={d.id}>
              {d.full_name}
            </option>
          ))}
        </select>
      </div>
      <p className="hint">{s.dragHint}</p>
      {picked.length > 0 && (
        <section className="row board__selection" aria-label={s.selection} data-testid="selection">
          <strong>{s.selected(picked.length)}</strong>
          <button type="button" className="button button--primary" onClick={() => setBulk('assign')}>
            {s.bulkAssign}
          </button>
          <button type="button" className="button button--danger" onClick={() => setBulk('cancel')}>
            {s.bulkCancel}
          </button>
          <button type="button" className="button button--ghost" onClick={() => setSelected(new Set())}>
            {s.clearSelection}
          </button>
        </section>
      )}
      <ErrorNotice error={board.error} strings={strings.errors} onRetry={board.reload} />
      {!columns && board.loading && <p role="status">{strings.loading}</p>}
      <div className="split board-layout">
        <div className="board" data-testid="board">
          {columns?.map((col) => {
            const cards = col.cards.filter(visible);
            const foldable = FOLDABLE.includes(col.status);
            const folded = foldable && !unfolded.has(col.status);
            // Money in a called-off column means nothing: it is counted, not summed.
            const summed = !CALLED_OFF_JOB.includes(col.status);
            const sum = (cents: number) => (summed ? formatMoney(cents) : null);
            const summary = filtering
              ? s.filteredSummary(cards.length, sum(cards.reduce((n, c) => n + c.price_cents, 0)))
              : summed
                ? s.columnSummary(col.count, formatMoney(col.total_price_cents))
                : s.columnCount(col.count);
            const name = strings.jobStatus[col.status];
            const title = (
              <>
                <span aria-hidden="true">{strings.statusIcon[col.status]} </span>
                {name}
              </>
            );
            return (
              <section
                key={col.status}
                className={`board__column ${folded ? 'is-folded' : ''} ${dragging ? 'is-drop-target' : ''}`}
                aria-labelledby={`col-${col.status}`}
                data-column={col.status}
                data-folded={folded || undefined}
                onDragOver={(e) => e.preventDefault()}
                onDrop={onDrop(col.status)}
              >
                <header className="board__column-head">
                  <h2 id={`col-${col.status}`}>
                    {foldable ? (
                      <button
                        type="button"
                        className="board__fold"
                        aria-expanded={!folded}
                        aria-controls={`cards-${col.status}`}
                        data-column-title
                        title={folded ? s.showColumn(name, filtering ? cards.length : col.count) : undefined}
                        onClick={() => toggleFold(col.status)}
                      >
                        {title}
                        <span className="board__fold-mark" aria-hidden="true">
                          {folded ? '▸' : '▾'}
                        </span>
                      </button>
                    ) : (
                      <span tabIndex={-1} data-column-title>
                        {title}
                      </span>
                    )}
                  </h2>
                  <p
                    className="board__summary"
                    data-count={filtering ? cards.length : col.count}
                    data-sum={
                      summed
                        ? filtering
                          ? cards.reduce((n, c) => n + c.price_cents, 0)
                          : col.total_price_cents
                        : undefined
                    }
                  >
                    {summary}
                  </p>
                </header>
                <div id={`cards-${col.status}`} hidden={folded}>
                  {folded ? null : cards.length === 0 ? (
                    <p className="muted board__empty">{s.empty}</p>
                  ) : (
                    <ul className="board__cards">
                      {cards.map((card) => (
                        <li key={card.id}>
                          <Card
                            card={card}
                            targets={targetsOf(card)}
                            selected={selectable(card) ? selected.has(card.id) : undefined}
                            onSelect={() => toggleSelected(card.id)}
                            onMove={(to) => requestMove(card, to, true)}
                            onAssign={(driverId) => assignTo(card, driverId)}
                            onDragStart={() => setDragging(card.id)}
                          />
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              </section>
            );
          })}
        </div>
        <WaitlistPanel />
      </div>
      {newJob && <NewJobDialog onClose={() => setNewJob(false)} onCreated={admin.bumpJobs} />}
      {picking && (
        <Dialog
          title={s.pickDriver(picking.card.job_address)}
          onClose={() => setPicking(null)}
          closeLabel={strings.drawer.close}
        >
          <DriverPicker
            label={s.pickDriver(picking.card.job_address)}
            onPick={(driverId) => {
              const card = picking.card;
              setPicking(null);
              assignTo(card, driverId);
            }}
          />
        </Dialog>
      )}
      {confirming && (
        <Dialog
          title={s.cancelConfirm(confirming.card.job_address)}
          onClose={() => setConfirming(null)}
          closeLabel={strings.drawer.close}
        >
          <div className="row">
            <button
              type="button"
              className="button button--danger"
              data-autofocus
              onClick={() => {
                const card = confirming.card;
                setConfirming(null);
                refocus.current = nextAfter(card);
                void apply(card, 'cancelled', () => cancelJob(card.id));
              }}
            >
              {strings.drawer.cancelJob}
            </button>
            <button type="button" className="button button--ghost" onClick={() => setConfirming(null)}>
              {strings.drawer.keep}
            </button>
          </div>
        </Dialog>
      )}
      {bulk === 'assign' && (
        <Dialog
          title={s.bulkAssignTitle(picked.length)}
          onClose={() => setBulk(null)}
          closeLabel={strings.drawer.close}
        >
          <DriverPicker
            label={s.bulkAssignTitle(picked.length)}
            onPick={(driverId) => void runBulk('assign', driverId)}
          />
        </Dialog>
      )}
      {bulk === 'cancel' && (
        <Dialog
          title={s.bulkCancelTitle(picked.length)}
          onClose={() => setBulk(null)}
          closeLabel={strings.drawer.close}
        >
          <BulkCancelForm onCancel={(reason) => void runBulk('cancel', reason)} onKeep={() => setBulk(null)} />
        </Dialog>
      )}
    </div>
  );
}

/** The one reason a bulk cancellation gives every customer. */
function BulkCancelForm({ onCancel, onKeep }: { onCancel: (reason: string) => void; onKeep: () => void }) {
  const s = strings.board;
  const id = useId();
  const [reason, setReason] = useState('');
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim()) onCancel(reason.trim());
      }}
    >
      <label htmlFor={id}>{s.bulkReason}</label>
      <textarea
        id={id}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        required
        maxLength={500}
        rows={2}
        data-autofocus
      />
      <div className="row">
        <button type="submit" className="button button--danger" disabled={!reason.trim()}>
          {s.bulkCancelGo}
        </button>
        <button type="button" className="button button--ghost" onClick={onKeep}>
          {strings.drawer.keep}
        </button>
      </div>
    </form>
  );
}

function Card({
  card,
  targets,
  selected,
  onSelect,
  onMove,
  onAssign,
  onDragStart,
}: {
  card: BoardCard;
  targets: JobStatus[];
  /** Picked for a bulk action; `undefined` when the card cannot be picked (nothing to assign or cancel). */
  selected: boolean | undefined;
  onSelect: () => void;
  onMove: (to: JobStatus) => void;
  onAssign: (driverId: string) => void;
  onDragStart: () => void;
}) {
  const s = strings.board;
  const admin = useAdmin();
  const [driverId, setDriverId] = useState('');
  const selectId = `assign-${card.id}`;
  return (
    <article
      className={`board-card ${selected ? 'is-selected' : ''}`}
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData('text/plain', card.id);
        e.dataTransfer.effectAllowed = 'move';
        onDragStart();
      }}
      data-job-id={card.id}
      data-status={card.status}
      aria-label={s.cardLabel(card.job_address, strings.jobStatus[card.status])}
    >
      <div className="row board-card__head">
        {selected !== undefined && (
          <input
            type="checkbox"
            className="board-card__select"
            checked={selected}
            onChange={onSelect}
            aria-label={s.select(card.job_address)}
          />
        )}
        {/* The column names the status (and the card's label says it): the width goes to the price. */}
        <span className="app__spacer" />
        <strong className="board-card__price" data-testid="card-price">
          {formatMoney(card.price_cents)}
        </strong>
      </div>
      {card.invoice_status && (
        <p className="board-card__meta" data-testid="card-invoice">
          {(card.balance_due_cents ?? 0) > 0
            ? s.unpaid(formatMoney(card.balance_due_cents))
            : (strings.invoices.statusLabel[card.invoice_status] ?? card.invoice_status)}
        </p>
      )}
      <p className="board-card__address">{card.job_address}</p>
      <p className="muted board-card__meta">
        {card.customer_name && <span>{card.customer_name} · </span>}
        {card.driver_name ? (
          <span>
            {strings.drawer.driver}: {card.driver_name}
          </span>
        ) : (
          <span>{s.unassigned}</span>
        )}
      </p>
      <p className="muted board-card__meta">
        {card.scheduled_for
          ? s.scheduled(formatDateTime(card.scheduled_for))
          : s.requested(formatDateTime(card.requested_at))}
      </p>
      {card.special_instructions && <p className="board-card__notes">{card.special_instructions}</p>}
      {card.status === 'pending' && (
        <form
          className="row assign"
          onSubmit={(e) => {
            e.preventDefault();
            if (driverId) onAssign(driverId);
          }}
        >
          <label className="visually-hidden" htmlFor={selectId}>
            {s.pickDriver(card.job_address)}
          </label>
          <select id={selectId} value={driverId} onChange={(e) => setDriverId(e.target.value)} required>
            <option value="">{s.chooseDriver}</option>
            {(admin.drivers ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {s.driverOption(d.full_name, strings.driverStatus[d.status])}
              </option>
            ))}
          </select>
          <button type="submit" className="button button--primary" disabled={!driverId}>
            {s.assign}
          </button>
        </form>
      )}
      <div className="row board-card__actions">
        <OpenLink href={`/admin/jobs/${card.id}`} label={s.open} of={card.job_address} />
        {targets.length > 0 && <MoveMenu address={card.job_address} targets={targets} onMove={onMove} />}
      </div>
    </article>
  );
}

/** Margin kept between a menu and the edge of the window. */
const MENU_MARGIN_PX = 8;

/**
 * Places an open menu next to its button inside the window: below it when it fits, above
 * otherwise, shifted left when it would leave the right edge. Fixed, so a scrolling board
 * does not clip it; re-placed as the page or the board scrolls.
 */
function useMenuPlacement(open: boolean, button: RefObject<HTMLElement | null>, list: RefObject<HTMLElement | null>) {
  useLayoutEffect(() => {
    if (!open) return;
    const place = () => {
      const b = button.current?.getBoundingClientRect();
      const m = list.current;
      if (!b || !m) return;
      const w = m.offsetWidth;
      const h = m.offsetHeight;
      const vw = document.documentElement.clientWidth;
      const vh = window.innerHeight;
      const below = b.bottom + 4;
      const top = below + h <= vh - MENU_MARGIN_PX ? below : Math.max(MENU_MARGIN_PX, b.top - 4 - h);
      const left = Math.max(MENU_MARGIN_PX, Math.min(b.left, vw - MENU_MARGIN_PX - w));
      m.style.top = `${top}px`;
      m.style.left = `${left}px`;
    };
    place();
    window.addEventListener('resize', place);
    window.addEventListener('scroll', place, true);
    return () => {
      window.removeEventListener('resize', place);
      window.removeEventListener('scroll', place, true);
    };
  }, [open, button, list]);
}

/** The keyboard path for a move: a menu button (WAI-ARIA menu pattern) listing the allowed columns. */
function MoveMenu({
  address,
  targets,
  onMove,
}: {
  address: string;
  targets: JobStatus[];
  onMove: (to: JobStatus) => void;
}) {
  const s = strings.board;
  const id = useId();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);
  useMenuPlacement(open, button, list);
  useEffect(() => {
    if (open) items.current[0]?.focus();
  }, [open]);
  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = items.current.findIndex((el) => el === document.activeElement);
    const n = targets.length;
    const focus = (k: number) => items.current[(k + n) % n]?.focus();
    if (e.key === 'ArrowDown') e.preventDefault(), focus(i + 1);
    else if (e.key === 'ArrowUp') e.preventDefault(), focus(i - 1);
    else if (e.key === 'Home') e.preventDefault(), focus(0);
    else if (e.key === 'End') e.preventDefault(), focus(n - 1);
    else if (e.key === 'Escape') e.preventDefault(), close();
    else if (e.key === 'Tab') close(false);
  };
  return (
    <div className="menu">
      <button
        ref={button}
        type="button"
        className="button button--secondary"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) e.preventDefault(), setOpen(true);
        }}
      >
        {s.moveTo}
      </button>
      {open && (
        <div
          ref={list}
          id={`${id}-menu`}
          role="menu"
          aria-label={s.moveMenu(address)}
          className="menu__list menu__list--placed"
          onKeyDown={onKey}
        >
          {targets.map((t, i) => (
            <button
              key={t}
              ref={(el) => {
                items.current[i] = el;
              }}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className="menu__item"
              onClick={() => {
                close();
                onMove(t);
              }}
            >
              <span aria-hidden="true">{strings.statusIcon[t]} </span>
              {strings.jobStatus[t]}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** Pick a driver: available ones first. */
export function DriverPicker({
  label,
  onPick,
  submitLabel,
}: {
  label: string;
  onPick: (driverId: string) => void;
  submitLabel?: string;
}) {
  const admin = useAdmin();
  const s = strings.board;
  const [value, setValue] = useState('');
  const id = useId();
  const order = { available: 0, break: 1, en_route: 2, on_job: 3, offline: 4 } as const;
  const drivers = useMemo(
    () =>
      [...(admin.drivers ?? [])].sort(
        (a, b) => order[a.status] - order[b.status] || a.full_name.localeCompare(b.full_name),
      ),
    [admin.drivers],
  );
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        if (value) onPick(value);
      }}
    >
      <label className="visually-hidden" htmlFor={id}>
        {label}
      </label>
      <select id={id} value={value} onChange={(e) => setValue(e.target.value)} required data-autofocus className="grow">
        <option value="">{s.chooseDriver}</option>
        {drivers.map((d) => (
          <option key={d.id} value={d.id}>
            {s.driverOption(d.full_name, strings.driverStatus[d.status])}
          </option>
        ))}
      </select>
      <button type="submit" className="button button--primary" disabled={!value}>
        {submitLabel ?? s.assign}
      </button>
    </form>
  );
}

function DashboardTiles() {
  const admin = useAdmin();
  const d = strings.dashboard;
  const dash = useResource((signal) => getDashboard(signal), `dash:${admin.jobsVersion}`);
  if (!dash.data) return null;
  const x = dash.data;
  const tiles: [string, string][] = [
    [d.requested, String(x.today_jobs.requested)],
    [d.completed, String(x.today_jobs.completed)],
    [d.revenue, formatMoney(x.today_revenue_cents)],
    [d.drivers, String(x.active_drivers)],
    [d.waitlist, String(x.waitlist_size)],
  ];
  return <Tiles label={d.label} tiles={tiles} />;
}

function SetupBanner() {
  const admin = useAdmin();
  if (admin.serviceArea !== null) return null; // unknown (loading / old server) or set
  return (
    <p className="notice notice--warn">
      {strings.setup.banner} <Link href="/admin/setup">{strings.setup.bannerLink}</Link>
    </p>
  );
}

function WaitlistPanel() {
  const admin = useAdmin();
  const w = strings.waitlist;
  const list = useResource((signal) => listWaitlist(signal), `waitlist:${admin.jobsVersion}`);
  const [assigning, setAssigning] = useState<WaitlistItem | null>(null);
  const act = async (work: () => Promise<unknown>, message: string) => {
    try {
      await work();
      toast.show({ kind: 'ok', message });
      list.reload();
      admin.bumpJobs();
    } catch (err) {
      toastError(err, strings.errors);
    }
  };
  return (
    <aside className="card waitlist-panel" aria-labelledby="waitlist-title">
      <h2 id="waitlist-title">
        {w.title} {list.data && <span className="count">({list.data.length})</span>}
      </h2>
      {list.data === null && <p className="muted">{strings.unavailable(w.title)}</p>}
      {list.data?.length === 0 && <p className="muted">{w.empty}</p>}
      <ul className="list">
        {list.data?.map((e) => (
          <li key={e.id} className="waitlist-item" data-waitlist-id={e.id}>
            <strong>{e.job_address}</strong>
            <p className="muted">{w.since(formatDateTime(e.created_at))}</p>
            <div className="row">
              <button
                type="button"
                className="button button--secondary"
                onClick={() => void act(() => promoteWaitlisted(e.id), w.promoted(e.job_address))}
              >
                {w.promote}
              </button>
              <button type="button" className="button button--secondary" onClick={() => setAssigning(e)}>
                {w.assignTo}…
              </button>
            </div>
          </li>
        ))}
      </ul>
      {assigning && (
        <Dialog
          title={strings.board.pickDriver(assigning.job_address)}
          onClose={() => setAssigning(null)}
          closeLabel={strings.drawer.close}
        >
          <DriverPicker
            label={strings.board.pickDriver(assigning.job_address)}
            onPick={(driverId) => {
              const e = assigning;
              setAssigning(null);
              void act(
                () => assignWaitlisted(e.id, driverId),
                strings.board.assigned(e.job_address, admin.drivers?.find((d) => d.id === driverId)?.full_name ?? ''),
              );
            }}
          />
        </Dialog>
      )}
    </aside>
  );
}

export function goToJob(id: string): void {
  navigate(`/admin/jobs/${id}`);
}
