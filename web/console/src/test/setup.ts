import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// The machines running the suite are small and shared: give findBy / waitFor room before calling a test failed.
configure({ asyncUtilTimeout: 3000 });

afterEach(() => {
  cleanup();
  // Remembered choices (the inbox tab) must not leak from one test into the next.
  window.sessionStorage.clear();
});
