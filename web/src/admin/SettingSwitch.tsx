import { toastError } from '../ui/ErrorNotice';
import { patchSettings } from './admin-api';
import { useAdmin } from './AdminData';
import { strings } from './strings';

/** An operator-wide on/off setting shown as a switch (board, settings). */
export function SettingSwitch({
  setting,
  label,
  on: onText,
  off: offText,
}: {
  setting: 'accepting_jobs' | 'require_after_photo' | 'drivers_call_customers';
  label: string;
  on: string;
  off: string;
}) {
  const admin = useAdmin();
  const value = admin.settings?.[setting];
  if (value === undefined) return null;
  const flip = async () => {
    try {
      admin.setSettings(await patchSettings({ [setting]: !value }));
    } catch (err) {
      toastError(err, strings.errors);
    }
  };
  const hint = `${setting}-hint`;
  return (
    <label className="switch" title={value ? onText : offText}>
      <input
        type="checkbox"
        role="switch"
        checked={value}
        aria-checked={value}
        onChange={() => void flip()}
        aria-describedby={hint}
      />
      <span>{label}</span>
      <span id={hint} className="visually-hidden">
        {value ? onText : offText}
      </span>
    </label>
  );
}
