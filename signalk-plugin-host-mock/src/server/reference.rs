//! Reference data from signalk-server 2.32.0's dependencies, embedded so the mock host
//! never reads the server's install at run time. Only the entries the data-model rules
//! need are here; `tests/tests/it/server_model.rs` regenerates every table with the
//! real modules (when the server is installed) and fails on any difference.
//!
//! - [`SCHEMA_META`], from `@signalk/path-metadata`, `metadataRegistry.getMetadata` for a
//!   list of common paths (the spec's description, units and properties).
//! - [`CATEGORY_BASE_UNITS`], from `signalk-server/unitpreferences/categories.json`
//!   (`categoryToBaseUnit`).
//! - [`PRIMARY_CATEGORIES`], from `signalk-server/unitpreferences/primary-categories.json`.
//! - [`DEFAULT_CATEGORIES`], from `signalk-server/unitpreferences/default-categories.json`,
//!   flattened to `(path, category)` in the order `loadAll` builds its map.
//! - [`RESOLVED_CATEGORIES`], from `dist/unitpreferences/resolver.js`,
//!   `resolveDisplayUnits({category})` under the default preset (`nautical-metric`),
//!   for every category that resolves.

/// `(path, meta JSON)`: the schema's metadata for these paths (any context).
pub(crate) const SCHEMA_META: &[(&str, &str)] = &[
    (
        "navigation.position",
        "{\"description\":\"The position of the vessel in 2 or 3 dimensions (WGS84 datum)\",\"properties\":{\"longitude\":{\"type\":\"number\",\"description\":\"Longitude\",\"units\":\"deg\",\"example\":4.98765245},\"latitude\":{\"type\":\"number\",\"description\":\"Latitude\",\"units\":\"deg\",\"example\":52.0987654},\"altitude\":{\"type\":\"number\",\"description\":\"Altitude\",\"units\":\"m\"}}}",
    ),
    (
        "navigation.anchor.position",
        "{\"description\":\"The actual anchor position of the vessel in 3 dimensions, probably an estimate at best\",\"properties\":{\"longitude\":{\"type\":\"number\",\"description\":\"Longitude\",\"units\":\"deg\",\"example\":4.98765245},\"latitude\":{\"type\":\"number\",\"description\":\"Latitude\",\"units\":\"deg\",\"example\":52.0987654},\"altitude\":{\"type\":\"number\",\"description\":\"Altitude\",\"units\":\"m\"}}}",
    ),
    (
        "navigation.anchor.maxRadius",
        "{\"description\":\"Radius of anchor alarm boundary. The distance from anchor to the center of the boat\",\"units\":\"m\"}",
    ),
    (
        "navigation.anchor.currentRadius",
        "{\"description\":\"Current distance to anchor\",\"units\":\"m\"}",
    ),
    (
        "navigation.speedThroughWater",
        "{\"description\":\"Vessel speed through the water\",\"units\":\"m/s\"}",
    ),
    (
        "navigation.speedOverGround",
        "{\"description\":\"Vessel speed over ground. If converting from AIS 'HIGH' value, set to 102.2 (Ais max value) and add warning in notifications\",\"units\":\"m/s\"}",
    ),
    (
        "navigation.courseOverGroundTrue",
        "{\"description\":\"Course over ground (true)\",\"units\":\"rad\"}",
    ),
    (
        "navigation.courseOverGroundMagnetic",
        "{\"description\":\"Course over ground (magnetic)\",\"units\":\"rad\"}",
    ),
    (
        "navigation.headingTrue",
        "{\"description\":\"The current true north heading of the vessel, equals 'headingMagnetic adjusted for magneticVariation'\",\"units\":\"rad\"}",
    ),
    (
        "navigation.headingMagnetic",
        "{\"description\":\"Current magnetic heading of the vessel, equals 'headingCompass adjusted for magneticDeviation'\",\"units\":\"rad\"}",
    ),
    (
        "navigation.magneticVariation",
        "{\"description\":\"The magnetic variation (declination) at the current position that must be added to the magnetic heading to derive the true heading. Easterly variations are positive and Westerly variations are negative (in Radians).\",\"units\":\"rad\"}",
    ),
    (
        "navigation.rateOfTurn",
        "{\"description\":\"Rate of turn (+ve is change to starboard). If the value is AIS RIGHT or LEFT, set to +-0.0206 rads and add warning in notifications\",\"units\":\"rad/s\"}",
    ),
    (
        "navigation.log",
        "{\"description\":\"Total distance traveled\",\"units\":\"m\"}",
    ),
    (
        "navigation.trip.log",
        "{\"description\":\"Total distance traveled on this trip / since trip reset\",\"units\":\"m\"}",
    ),
    (
        "navigation.datetime",
        "{\"description\":\"Time and Date from the GNSS Positioning System\"}",
    ),
    (
        "navigation.state",
        "{\"description\":\"Current navigational state of the vessel\"}",
    ),
    (
        "environment.outside.temperature",
        "{\"description\":\"Current outside air temperature\",\"units\":\"K\"}",
    ),
    (
        "environment.outside.pressure",
        "{\"description\":\"Current outside air ambient pressure\",\"units\":\"Pa\"}",
    ),
    (
        "environment.outside.humidity",
        "{\"description\":\"DEPRECATED: use relativeHumidity\",\"units\":\"ratio\"}",
    ),
    (
        "environment.outside.relativeHumidity",
        "{\"description\":\"Current outside air relative humidity\",\"units\":\"ratio\"}",
    ),
    (
        "environment.inside.temperature",
        "{\"description\":\"Temperature\",\"units\":\"K\"}",
    ),
    (
        "environment.water.temperature",
        "{\"description\":\"Current water temperature\",\"units\":\"K\"}",
    ),
    (
        "environment.depth.belowTransducer",
        "{\"description\":\"Depth below Transducer\",\"units\":\"m\"}",
    ),
    (
        "environment.depth.belowKeel",
        "{\"description\":\"Depth below keel\",\"units\":\"m\"}",
    ),
    (
        "environment.depth.belowSurface",
        "{\"description\":\"Depth from surface\",\"units\":\"m\"}",
    ),
    (
        "environment.wind.speedTrue",
        "{\"description\":\"Wind speed over water (as calculated from speedApparent and vessel's speed through water)\",\"units\":\"m/s\"}",
    ),
    (
        "environment.wind.speedApparent",
        "{\"description\":\"Apparent wind speed\",\"units\":\"m/s\"}",
    ),
    (
        "environment.wind.speedOverGround",
        "{\"description\":\"Wind speed over ground (as calculated from speedApparent and vessel's speed over ground)\",\"units\":\"m/s\"}",
    ),
    (
        "environment.wind.directionTrue",
        "{\"description\":\"The wind direction relative to true north\",\"units\":\"rad\"}",
    ),
    (
        "environment.wind.directionMagnetic",
        "{\"description\":\"The wind direction relative to magnetic north\",\"units\":\"rad\"}",
    ),
    (
        "environment.wind.angleApparent",
        "{\"description\":\"Apparent wind angle, negative to port\",\"units\":\"rad\"}",
    ),
    (
        "environment.wind.angleTrueWater",
        "{\"description\":\"True wind angle based on speed through water, negative to port\",\"units\":\"rad\"}",
    ),
    (
        "design.length",
        "{\"description\":\"The various lengths of the vessel\",\"properties\":{\"overall\":{\"type\":\"number\",\"description\":\"Length overall\",\"units\":\"m\"},\"hull\":{\"type\":\"number\",\"description\":\"Length of hull\",\"units\":\"m\"},\"waterline\":{\"type\":\"number\",\"description\":\"Length at waterline\",\"units\":\"m\"}}}",
    ),
    (
        "design.beam",
        "{\"description\":\"Data should be of type number.\",\"units\":\"m\"}",
    ),
    (
        "design.draft",
        "{\"description\":\"The draft of the vessel\",\"properties\":{\"minimum\":{\"description\":\"The minimum draft of the vessel\",\"type\":\"number\",\"units\":\"m\"},\"maximum\":{\"description\":\"The maximum draft of the vessel\",\"type\":\"number\",\"units\":\"m\"},\"current\":{\"description\":\"The current draft of the vessel\",\"type\":\"number\",\"units\":\"m\"},\"canoe\":{\"description\":\"The draft of the vessel without protrusions such as keel, centerboard, rudder\",\"type\":\"number\",\"units\":\"m\"}}}",
    ),
    (
        "name",
        "{\"description\":\"The common name of the vessel\"}",
    ),
];

/// `(category, SI base unit)`.
pub(crate) const CATEGORY_BASE_UNITS: &[(&str, &str)] = &[
    ("speed", "m/s"),
    ("temperature", "K"),
    ("pressure", "Pa"),
    ("distance", "m"),
    ("depth", "m"),
    ("angle", "rad"),
    ("angleDegrees", "deg"),
    ("angularVelocity", "rad/s"),
    ("volume", "m3"),
    ("voltage", "V"),
    ("current", "A"),
    ("power", "W"),
    ("percentage", "ratio"),
    ("frequency", "Hz"),
    ("time", "s"),
    ("charge", "C"),
    ("volumeRate", "m3/s"),
    ("length", "m"),
    ("energy", "J"),
    ("mass", "kg"),
    ("area", "m2"),
    ("dateTime", "RFC 3339 (UTC)"),
    ("epoch", "Epoch Seconds"),
    ("unitless", "tr"),
    ("boolean", "bool"),
    ("dataSize", "B"),
    ("Memory", "MB"),
];

/// `(SI base unit, category)`: which category a unit shared by several means.
pub(crate) const PRIMARY_CATEGORIES: &[(&str, &str)] = &[("m", "distance")];

/// `(path or wildcard pattern, category)`.
pub(crate) const DEFAULT_CATEGORIES: &[(&str, &str)] = &[
    ("environment.wind.speedApparent", "speed"),
    ("environment.wind.speedTrue", "speed"),
    ("environment.wind.speedOverGround", "speed"),
    ("environment.wind.speedThroughWater", "speed"),
    ("navigation.speedOverGround", "speed"),
    ("navigation.speedThroughWater", "speed"),
    ("navigation.speedThroughWaterTransverse", "speed"),
    ("navigation.speedThroughWaterLongitudinal", "speed"),
    ("navigation.leewayAngle", "speed"),
    ("performance.velocityMadeGood", "speed"),
    ("performance.velocityMadeGoodToWaypoint", "speed"),
    ("performance.beatAngleVelocityMadeGood", "speed"),
    ("performance.beatAngleTargetSpeed", "speed"),
    ("performance.gybeAngleVelocityMadeGood", "speed"),
    ("performance.gybeAngleTargetSpeed", "speed"),
    ("propulsion.*.driveSpeed", "speed"),
    ("environment.outside.temperature", "temperature"),
    ("environment.outside.dewPointTemperature", "temperature"),
    (
        "environment.outside.apparentWindChillTemperature",
        "temperature",
    ),
    (
        "environment.outside.theoreticalWindChillTemperature",
        "temperature",
    ),
    ("environment.outside.heatIndexTemperature", "temperature"),
    ("environment.water.temperature", "temperature"),
    ("environment.inside.temperature", "temperature"),
    ("environment.inside.engineRoom.temperature", "temperature"),
    ("environment.inside.refrigerator.temperature", "temperature"),
    ("environment.inside.freezer.temperature", "temperature"),
    ("environment.inside.heating.temperature", "temperature"),
    ("environment.inside.mainCabin.temperature", "temperature"),
    ("propulsion.*.temperature", "temperature"),
    ("propulsion.*.oilTemperature", "temperature"),
    ("propulsion.*.coolantTemperature", "temperature"),
    ("propulsion.*.exhaustTemperature", "volumeRate"),
    ("propulsion.*.alternator.temperature", "temperature"),
    ("electrical.batteries.*.temperature", "temperature"),
    ("electrical.chargers.*.temperature", "temperature"),
    ("electrical.inverters.*.temperature", "temperature"),
    ("tanks.*.temperature", "temperature"),
    ("environment.outside.pressure", "pressure"),
    ("propulsion.*.oilPressure", "pressure"),
    ("propulsion.*.fuelPressure", "pressure"),
    ("propulsion.*.coolantPressure", "pressure"),
    ("propulsion.*.boostPressure", "pressure"),
    ("propulsion.*.intakeManifoldTemperature", "pressure"),
    ("propulsion.*.engineLoad", "percentage"),
    ("environment.depth.belowKeel", "depth"),
    ("environment.depth.belowTransducer", "depth"),
    ("environment.depth.belowSurface", "depth"),
    ("environment.depth.transducerToKeel", "depth"),
    ("environment.depth.surfaceToTransducer", "depth"),
    ("navigation.trip.log", "distance"),
    ("navigation.log", "distance"),
    ("navigation.courseRhumbline.nextPoint.distance", "distance"),
    (
        "navigation.courseGreatCircle.nextPoint.distance",
        "distance",
    ),
    ("navigation.racing.distanceStartline", "distance"),
    ("navigation.racing.distanceLayline", "distance"),
    ("navigation.closestApproach.distance", "distance"),
    ("design.length.overall", "length"),
    ("design.length.hull", "length"),
    ("design.length.waterline", "length"),
    ("design.beam", "length"),
    ("design.draft.minimum", "length"),
    ("design.draft.maximum", "length"),
    ("design.draft.canoe", "length"),
    ("design.airHeight", "length"),
    ("design.rigging.mast.height", "length"),
    ("environment.heave", "length"),
    ("navigation.anchor.maxRadius", "length"),
    ("navigation.anchor.currentRadius", "length"),
    ("environment.wind.angleApparent", "angle"),
    ("environment.wind.angleTrueGround", "angle"),
    ("environment.wind.angleTrueWater", "angle"),
    ("environment.wind.directionTrue", "angle"),
    ("environment.wind.directionMagnetic", "angle"),
    ("navigation.courseOverGroundTrue", "angle"),
    ("navigation.courseOverGroundMagnetic", "angle"),
    ("navigation.headingTrue", "angle"),
    ("navigation.headingMagnetic", "angle"),
    ("navigation.magneticVariation", "angle"),
    ("navigation.magneticDeviation", "angle"),
    ("navigation.attitude.roll", "angle"),
    ("navigation.attitude.pitch", "angle"),
    ("navigation.attitude.yaw", "angle"),
    ("navigation.courseRhumbline.bearingTrackTrue", "angle"),
    ("navigation.courseRhumbline.bearingTrackMagnetic", "angle"),
    ("navigation.courseGreatCircle.bearingTrackTrue", "angle"),
    ("navigation.courseGreatCircle.bearingTrackMagnetic", "angle"),
    ("navigation.racing.laylineDistance", "angle"),
    ("steering.rudderAngle", "angle"),
    ("steering.rudderAngleTarget", "angle"),
    ("steering.autopilot.targetHeadingTrue", "angle"),
    ("steering.autopilot.targetHeadingMagnetic", "angle"),
    ("steering.autopilot.target.headingMagnetic", "angle"),
    ("steering.autopilot.target.headingTrue", "angle"),
    ("steering.autopilot.target.windAngleApparent", "angle"),
    ("performance.gybeAngle", "angle"),
    ("performance.beatAngle", "angle"),
    ("sails.*.reefState", "angle"),
    ("navigation.rateOfTurn", "angularVelocity"),
    ("navigation.attitude.roll.rate", "angularVelocity"),
    ("navigation.attitude.pitch.rate", "angularVelocity"),
    ("navigation.attitude.yaw.rate", "angularVelocity"),
    ("electrical.batteries.*.voltage", "voltage"),
    ("electrical.chargers.*.voltage", "voltage"),
    ("electrical.inverters.*.dc.voltage", "voltage"),
    ("electrical.inverters.*.ac.voltage", "voltage"),
    ("electrical.alternators.*.voltage", "voltage"),
    ("electrical.solar.*.voltage", "voltage"),
    ("propulsion.*.alternator.voltage", "voltage"),
    ("electrical.batteries.*.current", "current"),
    ("electrical.chargers.*.current", "current"),
    ("electrical.inverters.*.dc.current", "current"),
    ("electrical.inverters.*.ac.current", "current"),
    ("electrical.alternators.*.current", "current"),
    ("electrical.solar.*.current", "current"),
    ("propulsion.*.alternator.current", "current"),
    ("electrical.batteries.*.power", "power"),
    ("electrical.chargers.*.power", "power"),
    ("electrical.inverters.*.dc.power", "power"),
    ("electrical.inverters.*.ac.power", "power"),
    ("electrical.alternators.*.power", "power"),
    ("electrical.solar.*.power", "power"),
    ("propulsion.*.power", "power"),
    ("propulsion.*.revolutions", "frequency"),
    ("electrical.inverters.*.ac.frequency", "frequency"),
    ("tanks.*.capacity", "volume"),
    ("tanks.*.currentVolume", "volume"),
    ("tanks.fuel.*.capacity", "volume"),
    ("tanks.fuel.*.currentVolume", "volume"),
    ("tanks.freshWater.*.capacity", "volume"),
    ("tanks.freshWater.*.currentVolume", "volume"),
    ("tanks.wasteWater.*.capacity", "volume"),
    ("tanks.wasteWater.*.currentVolume", "volume"),
    ("tanks.blackWater.*.capacity", "volume"),
    ("tanks.blackWater.*.currentVolume", "volume"),
    ("tanks.liveWell.*.capacity", "volume"),
    ("tanks.liveWell.*.currentVolume", "volume"),
    ("tanks.lubrication.*.capacity", "volume"),
    ("tanks.lubrication.*.currentVolume", "volume"),
    ("propulsion.*.fuel.rate", "volumeRate"),
    ("design.displacement", "mass"),
    ("environment.outside.relativeHumidity", "percentage"),
    ("environment.inside.relativeHumidity", "percentage"),
    (
        "environment.inside.engineRoom.relativeHumidity",
        "percentage",
    ),
    (
        "electrical.batteries.*.capacity.stateOfCharge",
        "percentage",
    ),
    (
        "electrical.batteries.*.capacity.stateOfHealth",
        "percentage",
    ),
    ("tanks.*.currentLevel", "percentage"),
    ("propulsion.*.fuel.used", "percentage"),
    ("steering.autopilot.gain", "percentage"),
    ("electrical.batteries.*.capacity.remaining", "charge"),
    ("electrical.batteries.*.capacity.nominal", "charge"),
    ("electrical.batteries.*.capacity.timeRemaining", "time"),
    ("navigation.courseRhumbline.nextPoint.timeToGo", "time"),
    ("navigation.courseGreatCircle.nextPoint.timeToGo", "time"),
    ("navigation.racing.timeToStart", "time"),
    ("navigation.racing.timePortDown", "time"),
    ("navigation.racing.timeStbdDown", "time"),
    ("navigation.closestApproach.timeTo", "time"),
];

/// `(category, resolved displayUnits JSON)` under the `nautical-metric` preset.
pub(crate) const RESOLVED_CATEGORIES: &[(&str, &str)] = &[
    (
        "speed",
        "{\"category\":\"speed\",\"targetUnit\":\"kn\",\"formula\":\"value * 1.94384\",\"inverseFormula\":\"value * 0.514444\",\"symbol\":\"kn\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "temperature",
        "{\"category\":\"temperature\",\"targetUnit\":\"C\",\"formula\":\"value - 273.15\",\"inverseFormula\":\"value + 273.15\",\"symbol\":\"°C\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "pressure",
        "{\"category\":\"pressure\",\"targetUnit\":\"mbar\",\"formula\":\"value * 0.01\",\"inverseFormula\":\"value * 100\",\"symbol\":\"mbar\",\"displayFormat\":\"0\"}",
    ),
    (
        "distance",
        "{\"category\":\"distance\",\"targetUnit\":\"naut-mile\",\"formula\":\"value * 0.0005399568034557236\",\"inverseFormula\":\"value / 0.0005399568034557236\",\"symbol\":\"nmi\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "depth",
        "{\"category\":\"depth\",\"targetUnit\":\"m\",\"formula\":\"value\",\"inverseFormula\":\"value\",\"symbol\":\"m\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "angle",
        "{\"category\":\"angle\",\"targetUnit\":\"degree\",\"formula\":\"value * 57.29577951308231\",\"inverseFormula\":\"value / 57.29577951308231\",\"symbol\":\"°\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "angleDegrees",
        "{\"category\":\"angleDegrees\",\"targetUnit\":\"deg\",\"formula\":\"value\",\"inverseFormula\":\"value\",\"symbol\":\"deg\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "angularVelocity",
        "{\"category\":\"angularVelocity\",\"targetUnit\":\"deg/s\",\"formula\":\"value * 57.2958\",\"inverseFormula\":\"value * 0.0174533\",\"symbol\":\"°/s\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "volume",
        "{\"category\":\"volume\",\"targetUnit\":\"liter\",\"formula\":\"value * 1000\",\"inverseFormula\":\"value / 1000\",\"symbol\":\"liter\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "voltage",
        "{\"category\":\"voltage\",\"targetUnit\":\"V\",\"formula\":\"value\",\"inverseFormula\":\"value\",\"symbol\":\"V\",\"displayFormat\":\"0.00\"}",
    ),
    (
        "current",
        "{\"category\":\"current\",\"targetUnit\":\"A\",\"formula\":\"value\",\"inverseFormula\":\"value\",\"symbol\":\"A\",\"displayFormat\":\"0.00\"}",
    ),
    (
        "power",
        "{\"category\":\"power\",\"targetUnit\":\"W\",\"formula\":\"value\",\"inverseFormula\":\"value\",\"symbol\":\"W\",\"displayFormat\":\"0.00\"}",
    ),
    (
        "percentage",
        "{\"category\":\"percentage\",\"targetUnit\":\"percent\",\"formula\":\"value * 100\",\"inverseFormula\":\"value * 0.01\",\"symbol\":\"%\",\"displayFormat\":\"0\"}",
    ),
    (
        "frequency",
        "{\"category\":\"frequency\",\"targetUnit\":\"rpm\",\"formula\":\"value * 60\",\"inverseFormula\":\"value * 0.0166667\",\"symbol\":\"rpm\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "time",
        "{\"category\":\"time\",\"targetUnit\":\"hour\",\"formula\":\"value * 0.0002777777777777778\",\"inverseFormula\":\"value / 0.0002777777777777778\",\"symbol\":\"hour\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "charge",
        "{\"category\":\"charge\",\"targetUnit\":\"Ah\",\"formula\":\"value * 0.0002777777777777778\",\"inverseFormula\":\"value / 0.0002777777777777778\",\"symbol\":\"Ah\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "volumeRate",
        "{\"category\":\"volumeRate\",\"targetUnit\":\"L/h\",\"formula\":\"value * 3600000\",\"inverseFormula\":\"value * 0.000000277778\",\"symbol\":\"L/h\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "length",
        "{\"category\":\"length\",\"targetUnit\":\"m\",\"formula\":\"value\",\"inverseFormula\":\"value\",\"symbol\":\"m\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "energy",
        "{\"category\":\"energy\",\"targetUnit\":\"J\",\"formula\":\"value\",\"inverseFormula\":\"value\",\"symbol\":\"J\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "mass",
        "{\"category\":\"mass\",\"targetUnit\":\"kg\",\"formula\":\"value\",\"inverseFormula\":\"value\",\"symbol\":\"kg\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "area",
        "{\"category\":\"area\",\"targetUnit\":\"m2\",\"formula\":\"value\",\"inverseFormula\":\"value\",\"symbol\":\"m2\",\"displayFormat\":\"0.0\"}",
    ),
    (
        "boolean",
        "{\"category\":\"boolean\",\"targetUnit\":\"bool\",\"formula\":\"value\",\"inverseFormula\":\"value\",\"symbol\":\"bool\",\"displayFormat\":\"boolean\"}",
    ),
    (
        "dataSize",
        "{\"category\":\"dataSize\",\"targetUnit\":\"MB\",\"formula\":\"value / 1000000\",\"inverseFormula\":\"value * 1000000\",\"symbol\":\"MB\",\"displayFormat\":\"0.0\"}",
    ),
];
