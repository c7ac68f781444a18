"""Countries the generator places charge points in: real cities with their coordinates and
postal-code shapes, street names, currency, standard VAT rate and believable price levels.

Only countries that keep one time zone are listed, so that a receiver (and the harness's own
cost check) reads tariff times in the same zone the generator priced them in.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.pricing.timezones import zone_of_country


@dataclass(frozen=True, slots=True)
class City:
    """A city, a postal code pattern (``#`` a digit, ``?`` an upper-case letter) and its
    centre's coordinates."""

    name: str
    postal: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Prices:
    """Price levels in the country's currency, as (low, high) ranges: energy per kWh for AC and
    DC, time per hour, parking per hour, a start fee; ``decimals`` of the currency."""

    energy_ac: tuple[float, float]
    energy_dc: tuple[float, float]
    time: tuple[float, float]
    parking: tuple[float, float]
    start_fee: tuple[float, float]
    decimals: int = 2


@dataclass(frozen=True, slots=True)
class Country:
    """What the generator needs of a country."""

    alpha2: str
    alpha3: str
    currency: str
    vat: float
    language: str
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    parties: tuple[str, ...]
    prices: Prices

    @property
    def time_zone(self) -> str:
        """The IANA zone of the country (single-zone countries only)."""
        zone = zone_of_country(self.alpha3)
        assert zone is not None, self.alpha3  # guaranteed by the table below (tested)
        return zone


_EUR = Prices((0.29, 0.59), (0.45, 0.79), (0.6, 3.0), (1.0, 6.0), (0.25, 1.5))

COUNTRIES: dict[str, Country] = {
    c.alpha2: c
    for c in (
        Country(
            "NL",
            "NLD",
            "EUR",
            21.0,
            "nl",
            (
                City("Amsterdam", "10## ??", 52.3676, 4.9041),
                City("Utrecht", "35## ??", 52.0907, 5.1214),
                City("Rotterdam", "30## ??", 51.9244, 4.4777),
                City("Eindhoven", "56## ??", 51.4416, 5.4697),
                City("Groningen", "97## ??", 53.2194, 6.5665),
            ),
            ("Stationsplein", "Kerkstraat", "Dorpsstraat", "Molenweg", "Havenkade"),
            ("ABC", "EVB", "NUO", "ALL", "TNM"),
            _EUR,
        ),
        Country(
            "DE",
            "DEU",
            "EUR",
            19.0,
            "de",
            (
                City("Berlin", "10###", 52.5200, 13.4050),
                City("München", "80###", 48.1351, 11.5820),
                City("Köln", "50###", 50.9375, 6.9603),
                City("Hamburg", "20###", 53.5511, 9.9937),
                City("Düsseldorf", "40###", 51.2277, 6.7735),
            ),
            ("Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenweg", "Lindenallee"),
            ("ALL", "EBW", "ION", "TES", "ECO"),
            _EUR,
        ),
        Country(
            "BE",
            "BEL",
            "EUR",
            21.0,
            "nl",
            (
                City("Gent", "9000", 51.0543, 3.7174),
                City("Antwerpen", "2000", 51.2194, 4.4025),
                City("Bruxelles", "1000", 50.8503, 4.3517),
                City("Liège", "4000", 50.6326, 5.5797),
            ),
            ("Kerkstraat", "Rue de la Station", "Stationsstraat", "Rue Haute"),
            ("BEC", "ALL", "EVB"),
            _EUR,
        ),
        Country(
            "FR",
            "FRA",
            "EUR",
            20.0,
            "fr",
            (
                City("Paris", "750##", 48.8566, 2.3522),
                City("Lyon", "6900#", 45.7640, 4.8357),
                City("Marseille", "130##", 43.2965, 5.3698),
                City("Toulouse", "310##", 43.6047, 1.4442),
            ),
            ("Rue de la Gare", "Avenue Jean Jaurès", "Place de l'Église", "Rue Victor Hugo"),
            ("FR1", "IZV", "TOT", "ALL"),
            _EUR,
        ),
        Country(
            "AT",
            "AUT",
            "EUR",
            20.0,
            "de",
            (
                City("Wien", "1###", 48.2082, 16.3738),
                City("Graz", "80##", 47.0707, 15.4395),
                City("Salzburg", "50##", 47.8095, 13.0550),
            ),
            ("Hauptplatz", "Bahnhofstraße", "Ringstraße", "Kirchengasse"),
            ("SMT", "VER", "ALL"),
            _EUR,
        ),
        Country(
            "IT",
            "ITA",
            "EUR",
            22.0,
            "it",
            (
                City("Milano", "201##", 45.4642, 9.1900),
                City("Roma", "001##", 41.9028, 12.4964),
                City("Torino", "101##", 45.0703, 7.6869),
            ),
            ("Via Roma", "Corso Italia", "Via Garibaldi", "Piazza del Duomo"),
            ("ENX", "BEC", "ALL"),
            _EUR,
        ),
        Country(
            "GB",
            "GBR",
            "GBP",
            20.0,
            "en",
            (
                City("London", "?# #??", 51.5072, -0.1276),
                City("Manchester", "M# #??", 53.4808, -2.2426),
                City("Edinburgh", "EH# #??", 55.9533, -3.1883),
                City("Bristol", "BS# #??", 51.4545, -2.5879),
            ),
            ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane"),
            ("PPT", "BPC", "ALL", "GRD"),
            Prices((0.45, 0.79), (0.59, 0.85), (0.5, 2.5), (1.0, 5.0), (0.2, 1.0)),
        ),
        Country(
            "CH",
            "CHE",
            "CHF",
            8.1,
            "de",
            (
                City("Zürich", "80##", 47.3769, 8.5417),
                City("Genève", "12##", 46.2044, 6.1432),
                City("Bern", "30##", 46.9480, 7.4474),
            ),
            ("Bahnhofstrasse", "Rue du Rhône", "Marktgasse", "Seestrasse"),
            ("EVP", "MOV", "ALL"),
            Prices((0.35, 0.65), (0.55, 0.89), (0.6, 3.0), (1.0, 6.0), (0.5, 2.0)),
        ),
        Country(
            "SE",
            "SWE",
            "SEK",
            25.0,
            "sv",
            (
                City("Stockholm", "1## ##", 59.3293, 18.0686),
                City("Göteborg", "4## ##", 57.7089, 11.9746),
                City("Malmö", "2## ##", 55.6050, 13.0038),
            ),
            ("Storgatan", "Kungsgatan", "Drottninggatan", "Järnvägsgatan"),
            ("VAT", "CLE", "ALL"),
            Prices((3.5, 6.5), (5.0, 8.5), (6.0, 30.0), (10.0, 50.0), (2.0, 10.0)),
        ),
        Country(
            "NO",
            "NOR",
            "NOK",
            25.0,
            "nb",
            (
                City("Oslo", "0###", 59.9139, 10.7522),
                City("Bergen", "50##", 60.3913, 5.3221),
                City("Trondheim", "70##", 63.4305, 10.3951),
            ),
            ("Storgata", "Kirkegata", "Strandgata", "Jernbanegata"),
            ("MER", "REC", "ALL"),
            Prices((3.5, 6.0), (4.5, 7.5), (6.0, 30.0), (10.0, 40.0), (2.0, 10.0)),
        ),
        Country(
            "DK",
            "DNK",
            "DKK",
            25.0,
            "da",
            (
                City("København", "1###", 55.6761, 12.5683),
                City("Aarhus", "8000", 56.1629, 10.2039),
                City("Odense", "5000", 55.4038, 10.4024),
            ),
            ("Vestergade", "Nørregade", "Østergade", "Jernbanegade"),
            ("CLE", "SPI", "ALL"),
            Prices((2.5, 4.5), (3.5, 6.0), (4.0, 20.0), (8.0, 30.0), (1.5, 8.0)),
        ),
        Country(
            "PL",
            "POL",
            "PLN",
            23.0,
            "pl",
            (
                City("Warszawa", "00-###", 52.2297, 21.0122),
                City("Kraków", "30-###", 50.0647, 19.9450),
                City("Gdańsk", "80-###", 54.3520, 18.6466),
            ),
            ("ulica Główna", "ulica Dworcowa", "ulica Kościuszki", "aleja Jana Pawła II"),
            ("GRS", "ORL", "ALL"),
            Prices((1.5, 2.6), (2.2, 3.4), (2.0, 12.0), (4.0, 20.0), (1.0, 5.0)),
        ),
        Country(
            "HU",
            "HUN",
            "HUF",
            27.0,
            "hu",
            (
                City("Budapest", "1###", 47.4979, 19.0402),
                City("Debrecen", "40##", 47.5316, 21.6273),
            ),
            ("Fő utca", "Petőfi Sándor utca", "Kossuth Lajos utca", "Rákóczi út"),
            ("MOL", "ELM", "ALL"),
            Prices(
                (120.0, 200.0),
                (160.0, 260.0),
                (200.0, 1200.0),
                (400.0, 2000.0),
                (100.0, 500.0),
                decimals=0,
            ),
        ),
    )
}
