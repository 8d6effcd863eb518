//! What a session's `User-Agent` says about the device it runs on, for the user's list of
//! devices (the hosted profile page and clerk-js's `<UserProfile/>`). A rough reading: enough to
//! tell "Chrome on macOS" from "Safari on iOS", never used to decide anything.

/// The browser and operating system a `User-Agent` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device {
    pub browser: &'static str,
    pub os: Option<&'static str>,
    pub is_mobile: bool,
}

/// Most specific first: Edge and Opera also say "Chrome/", and Chrome also says "Safari/".
const BROWSERS: &[(&str, &str)] = &[
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("HeadlessChrome/", "Chrome (headless)"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("CriOS/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
];

/// iPhone and Android before Linux, which Android also says.
const SYSTEMS: &[(&str, &str)] = &[
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
];

pub fn describe(user_agent: Option<&str>) -> Device {
    let ua = user_agent.unwrap_or("");
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(needle, _)| ua.contains(needle))
            .map(|(_, name)| *name)
    };
    Device {
        browser: find(BROWSERS).unwrap_or("Unknown browser"),
        os: find(SYSTEMS),
        is_mobile: ua.contains("Mobile") || ua.contains("iPhone") || ua.contains("Android"),
    }
}

impl Device {
    /// `Chrome on Linux`.
    pub fn name(&self) -> String {
        match self.os {
            Some(os) => format!("{} on {os}", self.browser),
            None => self.browser.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_and_systems_are_told_apart() {
        let chrome_mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        let d = describe(Some(chrome_mac));
        assert_eq!(
            (d.browser, d.os, d.is_mobile),
            ("Chrome", Some("macOS"), false)
        );
        assert_eq!(d.name(), "Chrome on macOS");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
        assert_eq!(describe(Some(edge)).name(), "Edge on Windows");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        let d = describe(Some(iphone));
        assert_eq!(
            (d.browser, d.os, d.is_mobile),
            ("Safari", Some("iOS"), true)
        );
        let android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
        assert_eq!(describe(Some(android)).os, Some("Android"));
        assert_eq!(describe(None).name(), "Unknown browser");
    }
}
