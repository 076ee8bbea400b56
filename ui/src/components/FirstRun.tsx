// What to do with a real phone, on the first screen of a first run (no
// database opened yet): one sentence per kind of phone, and the way in
// without one.
export function FirstRun() {
  return (
    <ul className="first-run" data-testid="first-run">
      <li data-testid="first-run-android">
        <strong>Android phone:</strong> enable USB debugging (Settings → Developer options) and accept the prompt on the phone.
      </li>
      <li data-testid="first-run-iphone">
        <strong>iPhone:</strong> unlock it and tap Trust; only development builds (run from Xcode) show their files.
      </li>
      <li data-testid="first-run-simulated">
        <strong>No phone at hand:</strong> the built-in simulated device works without a phone; pick “Simulated device” on the left.
      </li>
    </ul>
  );
}
