// A vertical drag handle between two panes: reports the new width of the
// pane it sizes (the one on its left, or on its right with `fromRight`).
// Arrow keys move it too.
interface Props {
  width: number;
  onWidth(w: number): void;
  fromRight?: boolean;
  label: string;
  testId?: string;
}

export function Resizer({ width, onWidth, fromRight, label, testId }: Props) {
  const sign = fromRight ? -1 : 1;
  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    const startX = e.clientX;
    const el = e.currentTarget;
    el.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent) => onWidth(width + sign * (ev.clientX - startX));
    const up = () => {
      el.removeEventListener("pointermove", move);
      el.removeEventListener("pointerup", up);
      el.classList.remove("dragging");
    };
    el.classList.add("dragging");
    el.addEventListener("pointermove", move);
    el.addEventListener("pointerup", up);
  };
  return (
    <div
      className="resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={width}
      tabIndex={0}
      data-testid={testId}
      onPointerDown={onPointerDown}
      onKeyDown={(e) => {
        if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
          e.preventDefault();
          onWidth(width + sign * (e.key === "ArrowRight" ? 16 : -16));
        }
      }}
    />
  );
}
