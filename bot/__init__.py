"""The recovery peer-mentoring bot: settings, domain services and the Application's wiring."""
