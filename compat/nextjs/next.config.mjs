/** @type {import('next').NextConfig} */
export default {
  // The test runs `next start` under its own loopback addresses; nothing to optimise for.
  poweredByHeader: false,
};
