// Renders the README's screenshots into docs/ from the demo shop served by the real backend:
//   bash scripts/build.sh && node scripts/screenshots.mjs
import path from 'node:path';
import { REPO_ROOT, startServer, launchBrowser, newPage } from '../tests/e2e/harness.mjs';

const DOCS = path.join(REPO_ROOT, 'docs');
const shots = [
  { file: 'banner-light.png', url: '/', viewport: { width: 1100, height: 760 }, colorScheme: 'light' },
  { file: 'preferences-light.png', url: '/', viewport: { width: 1100, height: 900 }, colorScheme: 'light', open: 'settings' },
  { file: 'banner-dark.png', url: '/', viewport: { width: 1100, height: 760 }, colorScheme: 'dark' },
  { file: 'preferences-dark.png', url: '/', viewport: { width: 1100, height: 900 }, colorScheme: 'dark', open: 'settings' },
  { file: 'banner-320.png', url: '/', viewport: { width: 320, height: 640 }, colorScheme: 'light' },
  { file: 'preferences-320.png', url: '/', viewport: { width: 320, height: 640 }, colorScheme: 'light', open: 'settings' },
  { file: 'statement-page.png', url: '/personopplysninger', viewport: { width: 1100, height: 1000 }, colorScheme: 'light', accept: true },
];

const server = await startServer();
try {
  for (const shot of shots) {
    const context = await launchBrowser({ viewport: shot.viewport, colorScheme: shot.colorScheme });
    try {
      const page = await newPage(context);
      await page.goto(server.url + shot.url);
      await page.locator('#privacy-widget .banner').waitFor();
      if (shot.open) {
        await page.click(`#privacy-widget [data-action="${shot.open}"]`);
        await page.locator('#privacy-widget dialog.prefs').waitFor();
        await page.locator('#privacy-widget dialog.prefs details').first().evaluate((d) => { d.open = true; });
      }
      if (shot.accept) {
        await page.click('#privacy-widget [data-action="reject-all"]');
        await page.locator('#privacy-statement section.part').first().waitFor();
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(DOCS, shot.file) });
      console.log(`docs/${shot.file}`);
    } finally {
      await context.close();
    }
  }
} finally {
  await server.stop();
}
