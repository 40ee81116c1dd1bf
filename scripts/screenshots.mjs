// Renders the README's screenshots into docs/ from the demo shop served by the real backend:
//   bash scripts/build.sh && node scripts/screenshots.mjs [file.png …]   (default: all of them)
import path from 'node:path';
import { REPO_ROOT, startServer, launchBrowser, newPage } from '../tests/e2e/harness.mjs';
import { hashPassword, seedConsents, seedInbox, signIn } from '../tests/e2e/admin-fixtures.mjs';

const DOCS = path.join(REPO_ROOT, 'docs');
const shots = [
  { file: 'banner-light.png', url: '/', viewport: { width: 1100, height: 760 }, colorScheme: 'light' },
  { file: 'preferences-light.png', url: '/', viewport: { width: 1100, height: 900 }, colorScheme: 'light', open: 'settings' },
  { file: 'banner-dark.png', url: '/', viewport: { width: 1100, height: 760 }, colorScheme: 'dark' },
  { file: 'preferences-dark.png', url: '/', viewport: { width: 1100, height: 900 }, colorScheme: 'dark', open: 'settings' },
  { file: 'banner-320.png', url: '/', viewport: { width: 320, height: 640 }, colorScheme: 'light' },
  { file: 'preferences-320.png', url: '/', viewport: { width: 320, height: 640 }, colorScheme: 'light', open: 'settings' },
  { file: 'statement-page.png', url: '/personopplysninger', viewport: { width: 1100, height: 1000 }, colorScheme: 'light', decide: 'reject-all', ready: '#privacy-statement section.part' },
  { file: 'cookie-declaration.png', url: '/informasjonskapsler', viewport: { width: 1000, height: 1720 }, colorScheme: 'light', decide: 'accept-all', ready: '[data-pw-choice="analytics"][data-pw-accepted="true"]' },
];
// The operator pages, signed in, on a server seeded through the API (see admin-fixtures.mjs).
const adminShots = [
  { file: 'admin-overview.png', url: '/admin', viewport: { width: 1100, height: 1250 } },
  { file: 'admin-inbox.png', url: '/admin/requests', viewport: { width: 1100, height: 520 } },
];
const wanted = process.argv.slice(2);

const server = await startServer();
try {
  for (const shot of shots.filter((s) => wanted.length === 0 || wanted.includes(s.file))) {
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
      if (shot.decide) {
        await page.click(`#privacy-widget [data-action="${shot.decide}"]`);
        await page.locator(shot.ready).first().waitFor();
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

const adminWanted = adminShots.filter((s) => wanted.length === 0 || wanted.includes(s.file));
if (adminWanted.length) {
  const admin = await startServer({ env: { ADMIN_PASSWORD_HASH: hashPassword() } });
  try {
    await seedConsents(admin, [true, true, false, true, false, true, true, false]);
    await seedInbox(admin);
    for (const shot of adminWanted) {
      const context = await launchBrowser({ viewport: shot.viewport, colorScheme: 'light' });
      try {
        const page = await newPage(context);
        await signIn(page, admin);
        await page.goto(admin.url + shot.url);
        await page.screenshot({ path: path.join(DOCS, shot.file) });
        console.log(`docs/${shot.file}`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await admin.stop();
  }
}
