"""The Composer page: write a post, tailor it per platform, check it for PHI, get it approved,
schedule it, publish it by hand and see it on the calendar and in the published list."""
