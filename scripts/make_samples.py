"""Write the CSV files of the sample programs in ``mentorctl/sample_programs/``.

The people are synthetic: names are drawn from per-culture pools, the org
charts, answers and skews are made up to look like real sign-ups. The
``program.yaml`` files are written by hand; this script reads them to learn the
survey's questions (order, options, scales) and checks every answer against
them, so the CSVs cannot drift from the program definitions.

Deterministic: one ``random.Random`` with a fixed seed per program, no set
iteration and no clock, so running it twice writes byte-identical files::

    python scripts/make_samples.py
"""

from __future__ import annotations

import csv
import io
import random
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mentorctl.enums import QuestionType  # noqa: E402
from mentorctl.program import ROSTER_FIELDS, Program, load_program  # noqa: E402

SAMPLES = ROOT / "mentorctl" / "sample_programs"
SEEDS = {"onboarding": 20270201, "engineering-group": 20270301, "tech-circles": 20270906}

# --------------------------------------------------------------------------- names


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",")]


# culture -> (given names, family names, home languages). Family names are
# picked to read naturally with any of the given names (no gendered forms).
CULTURES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "german": (
        _list(
            "Lukas, Hannah, Jonas, Lea, Felix, Sophie, Maximilian, Anna, Tobias, Katharina, "
            "Moritz, Julia, Niklas, Miriam, Jan, Lena, Florian, Johanna"
        ),
        _list(
            "Müller, Schmidt, Becker, Hoffmann, Wagner, Krüger, Schäfer, Neumann, Zimmermann, "
            "Braun, Hartmann, Fischer, Vogel, Lorenz, Keller, Weiß"
        ),
        ["German"],
    ),
    "british": (
        _list(
            "Oliver, Charlotte, George, Amelia, Harry, Isla, James, Poppy, Thomas, Eleanor, "
            "Freddie, Imogen, Callum, Harriet"
        ),
        _list(
            "Smith, Taylor, Clarke, Wright, Hughes, Edwards, Turner, Hall, Wood, Cooper, "
            "Pritchard, Fletcher, Ashworth, Lloyd"
        ),
        [],
    ),
    "irish": (
        _list("Siobhán, Ciarán, Aoife, Niamh, Eoin, Orla, Cormac, Róisín, Declan, Saoirse"),
        _list(
            "Murphy, O'Brien, Byrne, Kelly, Walsh, Gallagher, Doyle, Quinn, Ó Súilleabháin, "
            "McCarthy"
        ),
        ["Irish"],
    ),
    "american": (
        _list(
            "Emily, Michael, Jessica, David, Ashley, Marcus, Rachel, Tyler, Jasmine, Brandon, "
            "Megan, Andre, Lauren, Kevin, Brittany, Jordan, Tanisha, Cody, Shannon, Darnell"
        ),
        _list(
            "Johnson, Williams, Brown, Miller, Davis, Anderson, Thompson, Jackson, Harris, "
            "Robinson, Walker, Young, Mitchell, Carter, Bennett, Coleman, Sullivan, Brooks"
        ),
        [],
    ),
    "indian": (
        _list(
            "Priya, Arjun, Ananya, Rohan, Kavya, Vikram, Deepika, Aditya, Meera, Siddharth, "
            "Lakshmi, Rahul, Nandini, Karthik, Ishaan, Divya, Harsha, Pooja, Ravi, Shreya"
        ),
        _list(
            "Sharma, Iyer, Reddy, Nair, Patel, Krishnan, Menon, Gupta, Rao, Banerjee, "
            "Kulkarni, Joshi, Subramanian, Chatterjee, Desai, Pillai"
        ),
        ["Hindi", "Tamil", "Kannada", "Telugu", "Malayalam", "Marathi", "Bengali"],
    ),
    "chinese": (
        _list("Wei, Jing, Hao, Xiaoling, Yichen, Mei, Jun, Lin, Zhiwei, Yan, Ruoxi, Tao"),
        _list("Chen, Wang, Li, Zhang, Liu, Huang, Zhou, Wu, Xu, Lin, Guo"),
        ["Mandarin", "Cantonese"],
    ),
    "japanese": (
        _list("Haruto, Yui, Sota, Aiko, Ren, Sakura, Kenji, Mei, Takumi, Yuna, Daichi, Naomi"),
        _list(
            "Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, "
            "Kato, Mori"
        ),
        ["Japanese"],
    ),
    "korean": (
        _list("Ji-woo, Min-jun, Seo-yeon, Do-hyun, Ha-eun, Joon-ho, Soo-ah, Hyun-woo"),
        _list("Kim, Lee, Park, Choi, Jung, Kang, Yoon, Han"),
        ["Korean"],
    ),
    "vietnamese": (
        _list("Minh, Linh, Tuan, Thao, Huy, Trang, Duc, Hoa"),
        _list("Nguyen, Tran, Le, Pham, Hoang, Vu, Dang, Bui"),
        ["Vietnamese"],
    ),
    "filipino": (
        _list("Joshua, Maricel, Paolo, Kristine, Miguel, Angelica, Rommel, Jasmine"),
        _list("Santos, Reyes, Cruz, Bautista, Dela Cruz, Mendoza, Villanueva, Aquino"),
        ["Tagalog"],
    ),
    "indonesian": (
        _list("Putri, Budi, Ayu, Rizky, Dewi, Arief, Sari, Hendra"),
        _list("Wijaya, Santoso, Pratama, Kusuma, Halim, Setiawan, Gunawan, Hidayat"),
        ["Indonesian"],
    ),
    "brazilian": (
        _list(
            "João, Ana, Lucas, Beatriz, Rafael, Camila, Thiago, Larissa, Gabriel, Fernanda, "
            "Caio, Letícia"
        ),
        _list(
            "Silva, Santos, Oliveira, Souza, Pereira, Costa, Almeida, Carvalho, Ribeiro, "
            "Ferreira, Barbosa"
        ),
        ["Portuguese"],
    ),
    "hispanic": (
        _list(
            "Alejandro, María, Diego, Lucía, Javier, Sofía, Carlos, Valentina, Mateo, Isabel, "
            "María José, Andrés, Ximena"
        ),
        _list(
            "García, Hernández, López, Martínez, Rodríguez, Torres, Ramírez, Flores, Morales, "
            "Castillo, Peña, Navarro"
        ),
        ["Spanish"],
    ),
    "nigerian": (
        _list(
            "Chinedu, Adaeze, Oluwaseun, Ngozi, Tunde, Funmilayo, Emeka, Yetunde, Ifeoma, Babatunde"
        ),
        _list("Okafor, Adeyemi, Nwosu, Balogun, Eze, Oyelaran, Okonkwo, Adebayo, Obi, Ogunleye"),
        ["Yoruba", "Igbo"],
    ),
    "ghanaian": (
        _list("Kwame, Ama, Kofi, Akosua, Yaw, Efua, Kojo, Abena"),
        _list("Mensah, Owusu, Asante, Boateng, Osei, Appiah, Darko, Agyeman"),
        ["Twi"],
    ),
    "kenyan": (
        _list("Wanjiru, Brian, Akinyi, Kevin, Njeri, Faith, Achieng, Dennis, Mercy, Collins"),
        _list("Mwangi, Odhiambo, Kariuki, Wambui, Kiprotich, Ochieng, Njoroge, Chebet"),
        ["Swahili"],
    ),
    "arabic": (
        _list("Omar, Layla, Youssef, Nour, Karim, Salma, Hassan, Rania, Tariq, Mariam"),
        _list("Haddad, Khalil, Mansour, Saleh, Farouk, Nasser, Aziz, Hamdan"),
        ["Arabic"],
    ),
    "turkish": (
        _list("Emre, Elif, Burak, Zeynep, Mehmet, Ayşe, Can, Deniz"),
        _list("Yılmaz, Demir, Şahin, Çelik, Aydın, Kaya, Öztürk, Arslan"),
        ["Turkish"],
    ),
    "polish": (
        _list("Tomasz, Agnieszka, Piotr, Katarzyna, Łukasz, Magdalena, Michał, Zofia"),
        _list("Nowak, Wójcik, Kowalczyk, Mazur, Krawczyk, Dudek, Szymczak, Pawlak"),
        ["Polish"],
    ),
    "ukrainian": (
        _list("Oksana, Dmytro, Iryna, Andriy, Olena, Taras, Yulia, Serhiy"),
        _list("Kovalenko, Shevchenko, Bondarenko, Melnyk, Tkachenko, Kravchenko, Boyko, Savchenko"),
        ["Ukrainian"],
    ),
    "french": (
        _list("Camille, Julien, Chloé, Mathieu, Élise, Antoine, Manon, Hugo"),
        _list("Dubois, Lefèvre, Moreau, Laurent, Girard, Roux, Fontaine, Mercier"),
        ["French"],
    ),
    "italian": (
        _list("Giulia, Matteo, Francesca, Lorenzo, Chiara, Alessandro, Sara, Davide"),
        _list("Rossi, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Conti"),
        ["Italian"],
    ),
    "nordic": (
        _list("Erik, Ingrid, Lars, Astrid, Magnus, Sigrid, Nils, Freja"),
        _list("Lindqvist, Johansson, Andersen, Berg, Nilsson, Halvorsen, Dahl, Eriksson"),
        ["Swedish", "Norwegian", "Danish"],
    ),
    "dutch": (
        _list("Daan, Sanne, Bram, Femke, Joris, Lotte, Thijs, Maaike"),
        _list("de Vries, Jansen, Bakker, Visser, Smit, Meijer, de Boer, Mulder"),
        ["Dutch"],
    ),
    "portuguese": (
        _list("Inês, Tiago, Mariana, Duarte, Catarina, Rui, Filipa, Nuno"),
        _list("Ferreira, Gonçalves, Rodrigues, Martins, Sousa, Fernandes, Lopes, Marques"),
        ["Portuguese"],
    ),
}

_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "ø": "o", "ß": "ss", "æ": "ae", "đ": "d"})


def email_part(text: str) -> str:
    """`Ó Súilleabháin` -> `osuilleabhain`: ASCII, lower case, letters/digits/dashes."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "-")


class Names:
    """Hands out unique names and the matching work emails at one domain."""

    def __init__(self, rng: random.Random, domain: str) -> None:
        self.rng = rng
        self.domain = domain
        self.emails: set[str] = set()

    def email_for(self, given: str, family: str) -> str:
        return f"{email_part(given)}.{email_part(family)}@{self.domain}"

    def reserve(self, *fixed: tuple[str, str]) -> None:
        """Keep these (given, family) names out of the random draws."""
        for given, family in fixed:
            self.emails.add(self.email_for(given, family))

    def fixed(self, given: str, family: str) -> tuple[str, str]:
        """A name reserved earlier, with its email."""
        email = self.email_for(given, family)
        assert email in self.emails, email
        return f"{given} {family}", email

    def make(self, culture: str) -> tuple[str, str]:
        given_names, family_names, _ = CULTURES[culture]
        for _ in range(200):
            given = self.rng.choice(given_names)
            family = self.rng.choice(family_names)
            email = self.email_for(given, family)
            if email not in self.emails:
                self.emails.add(email)
                return f"{given} {family}", email
        raise RuntimeError(f"name pool for {culture} exhausted")


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Place:
    location: str
    timezone: str
    language: str | None  # the local working language besides English, if any
    cultures: dict[str, float]


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def sample_weighted(rng: random.Random, weights: dict[str, float], k: int) -> list[str]:
    """k distinct keys, drawn with probability proportional to weight."""
    pool = {key: w for key, w in weights.items() if w > 0}
    out: list[str] = []
    while pool and len(out) < k:
        pick = weighted(rng, pool)
        out.append(pick)
        del pool[pick]
    return out


def languages_for(rng: random.Random, culture: str, place: Place, english: bool = True) -> str:
    langs = ["English"] if english else []
    home = CULTURES[culture][2]
    if home and rng.random() < 0.75:
        langs.append(rng.choice(home))
    if place.language and place.language not in langs and rng.random() < 0.6:
        langs.append(place.language)
    if rng.random() < 0.12:
        langs.append(rng.choice(["Spanish", "French", "German", "Italian", "Portuguese"]))
    seen: list[str] = []
    for lang in langs:
        if lang not in seen:
            seen.append(lang)
    return "; ".join(seen)


# --------------------------------------------------------------------------- people


@dataclass
class Person:
    email: str
    name: str
    role: str
    department: str
    title: str
    level: str
    manager_email: str
    location: str
    timezone: str
    languages: str
    tenure_months: int
    years_experience: float
    capacity: int | None = None
    answers: dict[str, object] = field(default_factory=dict)
    # generator-only facts, never written
    culture: str = ""
    kind: str = ""  # head, manager, ic ...

    def row(self, program: Program) -> list[str]:
        base = [
            self.email,
            self.name,
            self.role,
            self.department,
            self.title,
            self.level,
            self.manager_email,
            self.location,
            self.timezone,
            self.languages,
            str(self.tenure_months),
            fmt_years(self.years_experience),
            "" if self.capacity is None else str(self.capacity),
        ]
        return base + [cell(self.answers.get(q.id)) for q in program.survey.questions]


def fmt_years(years: float) -> str:
    return str(int(years)) if float(years).is_integer() else f"{years:.1f}"


def cell(value: object, sep: str = "; ") -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return sep.join(str(v) for v in value)
    return str(value)


def years_for(rng: random.Random, level_index: int, base: Sequence[tuple[float, float]]) -> float:
    low, high = base[level_index]
    return round(rng.uniform(low, high) * 2) / 2


def in_option_order(options: Sequence[str], picked: Sequence[str]) -> list[str]:
    return [o for o in options if o in picked]


def check_answers(program: Program, people: Sequence[Person]) -> None:
    """Fail loudly if the generator wrote an answer the program would reject."""
    for p in people:
        for q in program.survey.questions:
            value = p.answers.get(q.id)
            if not q.asks(p.role):
                assert value is None, (p.email, q.id, "answered a question not asked")
                continue
            if value is None:
                assert not q.required, (p.email, q.id, "required answer missing")
                continue
            if q.type in (QuestionType.SINGLE_CHOICE,):
                assert value in (q.options or []), (p.email, q.id, value)
            elif q.type.has_options:
                assert isinstance(value, list) and value, (p.email, q.id)
                assert all(v in (q.options or []) for v in value), (p.email, q.id, value)
                assert len(set(value)) == len(value), (p.email, q.id, value)
                if q.max_choices:
                    assert len(value) <= q.max_choices, (p.email, q.id, value)
            elif q.type is QuestionType.LIKERT:
                assert isinstance(value, int) and q.scale[0] <= value <= q.scale[1]
            elif q.type is QuestionType.EMAIL_LIST:
                assert isinstance(value, list) and value
                if q.max_choices:
                    assert len(value) <= q.max_choices
        assert program.level_rank(p.level) is not None, (p.email, p.level)


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], *, bom: bool = False, crlf: bool = False
) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8-sig" if bom else "utf-8"))


def write_roster(name: str, program: Program, people: list[Person]) -> None:
    check_answers(program, people)
    header = list(ROSTER_FIELDS) + [q.id for q in program.survey.questions]
    write_csv(SAMPLES / name / "participants.csv", header, [p.row(program) for p in people])


def pick_text(rng: random.Random, pool: list[str], used: dict[str, int]) -> str:
    """A text answer, preferring ones used least so far (a little repetition is real)."""
    fewest = min(used.get(t, 0) for t in pool)
    choice = rng.choice([t for t in pool if used.get(t, 0) == fewest])
    used[choice] = used.get(choice, 0) + 1
    return choice


# =========================================================================== onboarding

ONB_PLACES = [
    (
        Place(
            "Berlin",
            "Europe/Berlin",
            "German",
            {
                "german": 6,
                "turkish": 1,
                "polish": 1,
                "ukrainian": 1,
                "arabic": 1,
                "french": 0.5,
                "nordic": 0.5,
                "indian": 1,
                "italian": 0.5,
            },
        ),
        26,
    ),
    (
        Place(
            "London",
            "Europe/London",
            None,
            {
                "british": 5,
                "irish": 1,
                "indian": 2,
                "nigerian": 1,
                "ghanaian": 0.7,
                "french": 0.5,
                "italian": 0.5,
                "arabic": 0.5,
                "chinese": 0.5,
            },
        ),
        14,
    ),
    (
        Place(
            "New York",
            "America/New_York",
            None,
            {
                "american": 6,
                "hispanic": 2,
                "chinese": 1,
                "korean": 0.7,
                "indian": 1,
                "irish": 0.5,
                "nigerian": 0.5,
            },
        ),
        20,
    ),
    (
        Place(
            "Austin",
            "America/Chicago",
            None,
            {"american": 5, "hispanic": 2.5, "indian": 1, "vietnamese": 0.7},
        ),
        6,
    ),
    (
        Place(
            "San Francisco",
            "America/Los_Angeles",
            None,
            {
                "american": 3,
                "chinese": 2,
                "indian": 2,
                "vietnamese": 1,
                "filipino": 1,
                "korean": 1,
                "hispanic": 1,
                "japanese": 0.5,
            },
        ),
        9,
    ),
    (Place("Bengaluru", "Asia/Kolkata", None, {"indian": 10}), 13),
    (
        Place(
            "Singapore",
            "Asia/Singapore",
            "Mandarin",
            {"chinese": 3, "indian": 1, "indonesian": 1, "filipino": 1, "vietnamese": 0.5},
        ),
        5,
    ),
    (
        Place(
            "São Paulo",
            "America/Sao_Paulo",
            "Portuguese",
            {"brazilian": 8, "japanese": 0.5, "italian": 0.5},
        ),
        5,
    ),
    (Place("Remote - Lagos", "Africa/Lagos", None, {"nigerian": 1}), 2),
    (Place("Remote - Nairobi", "Africa/Nairobi", "Swahili", {"kenyan": 1}), 1.5),
    (
        Place(
            "Remote - Toronto",
            "America/Toronto",
            None,
            {"american": 2, "chinese": 1, "indian": 1, "filipino": 0.5, "french": 0.5},
        ),
        3,
    ),
    (Place("Remote - Warsaw", "Europe/Warsaw", "Polish", {"polish": 3, "ukrainian": 1.5}), 3),
    (Place("Remote - Mexico City", "America/Mexico_City", "Spanish", {"hispanic": 1}), 2),
]
ONB_PLACE_BY_NAME = {p.location: p for p, _ in ONB_PLACES}

ONB_LEVELS = ["Associate", "Professional", "Senior", "Lead", "Principal", "Director", "VP"]
ONB_YEARS = [(0, 2), (2, 5.5), (5, 11), (8, 15), (10, 20), (12, 24), (15, 28)]

# department -> (individual title, manager title, head title, head level)
ONB_DEPTS: dict[str, tuple[str, str, str, str]] = {
    "Engineering": ("Software Engineer", "Engineering Manager", "VP Engineering", "VP"),
    "Product": ("Product Manager", "Group Product Manager", "Director of Product", "Director"),
    "Design": ("Product Designer", "Design Manager", "Director of Design", "Director"),
    "Data": ("Data Analyst", "Analytics Manager", "Director of Data", "Director"),
    "Sales": ("Account Executive", "Sales Manager", "VP Sales", "VP"),
    "Customer Success": (
        "Customer Success Manager",
        "Customer Success Team Lead",
        "Director of Customer Success",
        "Director",
    ),
    "Marketing": ("Marketing Specialist", "Marketing Manager", "Director of Marketing", "Director"),
    "Finance": ("Financial Analyst", "Finance Manager", "Director of Finance", "Director"),
    "People": ("People Partner", "People Operations Manager", "Director of People", "Director"),
}
# department -> (managers, senior individual mentors, new hires)
ONB_SIZES = {
    "Engineering": (4, 20, 24),
    "Product": (1, 5, 6),
    "Design": (1, 3, 4),
    "Data": (1, 5, 6),
    "Sales": (2, 9, 12),
    "Customer Success": (2, 8, 10),
    "Marketing": (1, 5, 7),
    "Finance": (1, 2, 3),
    "People": (1, 2, 3),
}
ONB_DEPT_PLACES = {  # where each department mostly sits
    "Engineering": {
        "Berlin": 5,
        "Bengaluru": 3,
        "Remote - Warsaw": 1.5,
        "San Francisco": 1.5,
        "Remote - Lagos": 0.6,
        "Remote - Nairobi": 0.5,
        "London": 0.8,
        "Remote - Toronto": 0.6,
    },
    "Product": {"Berlin": 2, "San Francisco": 2, "New York": 1, "London": 1},
    "Design": {"Berlin": 2, "London": 1, "San Francisco": 1},
    "Data": {"Berlin": 2, "Bengaluru": 2, "London": 1, "Singapore": 0.5},
    "Sales": {
        "New York": 4,
        "London": 2,
        "Austin": 2,
        "Singapore": 1,
        "São Paulo": 1,
        "Remote - Mexico City": 0.8,
    },
    "Customer Success": {
        "New York": 2,
        "Austin": 1.5,
        "Bengaluru": 1,
        "São Paulo": 1.5,
        "Singapore": 1,
        "London": 1,
        "Remote - Mexico City": 0.7,
    },
    "Marketing": {"New York": 2, "London": 2, "Berlin": 1, "Remote - Toronto": 0.5},
    "Finance": {"Berlin": 1, "New York": 1},
    "People": {"Berlin": 1, "New York": 1, "Bengaluru": 0.5},
}

ONB_WANT_BASE = {
    "Finding my way around the company": 30,
    "Internal tools and systems": 24,
    "Our product and customers": 20,
    "Codebase walkthroughs": 0,
    "Data and SQL": 5,
    "Working with stakeholders": 10,
    "Presenting to a group": 5,
    "Writing clear documents": 4,
    "Planning and prioritising work": 8,
    "Working across time zones": 4,
    "Giving and receiving feedback": 6,
    "Career growth here": 10,
}
ONB_WANT_DEPT = {
    "Engineering": {
        "Codebase walkthroughs": 45,
        "Writing clear documents": 6,
        "Our product and customers": 8,
    },
    "Data": {"Data and SQL": 24, "Working with stakeholders": 8},
    "Product": {
        "Data and SQL": 10,
        "Working with stakeholders": 14,
        "Planning and prioritising work": 8,
    },
    "Design": {"Presenting to a group": 8, "Our product and customers": 10},
    "Sales": {"Our product and customers": 22, "Presenting to a group": 10},
    "Customer Success": {"Our product and customers": 20, "Working with stakeholders": 6},
    "Marketing": {"Writing clear documents": 8, "Data and SQL": 6},
}
ONB_OFFER_BASE = {
    "Finding my way around the company": 18,
    "Internal tools and systems": 12,
    "Our product and customers": 12,
    "Codebase walkthroughs": 0,
    "Data and SQL": 3,
    "Working with stakeholders": 10,
    "Presenting to a group": 7,
    "Writing clear documents": 7,
    "Planning and prioritising work": 10,
    "Working across time zones": 6,
    "Giving and receiving feedback": 8,
    "Career growth here": 8,
}
ONB_OFFER_DEPT = {
    "Engineering": {
        "Codebase walkthroughs": 30,
        "Internal tools and systems": 20,
        "Writing clear documents": 10,
    },
    "Data": {"Data and SQL": 30},
    "Product": {
        "Our product and customers": 20,
        "Data and SQL": 6,
        "Working with stakeholders": 16,
    },
    "Design": {"Presenting to a group": 12, "Our product and customers": 12},
    "Sales": {"Our product and customers": 20, "Presenting to a group": 14},
    "Customer Success": {"Our product and customers": 22, "Working with stakeholders": 12},
    "Marketing": {"Writing clear documents": 14, "Presenting to a group": 10},
    "Finance": {"Data and SQL": 8, "Planning and prioritising work": 14},
    "People": {"Giving and receiving feedback": 18, "Career growth here": 16},
}

ONB_GOALS_GENERIC = [
    "Know who to ask for what, and stop feeling like I'm interrupting people.",
    "Understand how my team's work connects to what customers actually pay for.",
    "Get through my first quarter's goals without surprises at review time.",
    "Build a small network outside my own team.",
    "Feel confident speaking up in meetings by the end of March.",
    "Understand how decisions get made here and who makes them.",
    "Learn the internal tools well enough that I stop searching the wiki for everything.",
    "Have a clear picture of what good performance looks like in my role.",
    "Find my footing in a fully remote team and set up a routine that works.",
    "Get comfortable with the time-zone juggling between Europe and the US.",
]
ONB_GOALS_DEPT = {
    "Engineering": [
        "Ship my first change to production and be on the on-call rota by month three.",
        "Find my way around the monorepo and review code with confidence.",
        "Understand the deployment pipeline well enough to fix it when it breaks.",
        "Move from Java to Go without slowing my team down too much.",
    ],
    "Data": [
        "Learn our data model and stop writing queries that time out.",
        "Deliver one dashboard that a product team really uses.",
    ],
    "Product": [
        "Own the roadmap for my area and run a discovery cycle end to end.",
        "Understand our customers well enough to say no to the right things.",
    ],
    "Design": ["Learn our design system and present my first research findings."],
    "Sales": [
        "Close my first deal and know the product well enough to demo it solo.",
        "Build a pipeline for my territory and learn how we price enterprise deals.",
    ],
    "Customer Success": [
        "Take over my book of accounts smoothly and run my first quarterly business review.",
        "Learn the product deeply enough to answer most questions without escalating.",
    ],
    "Marketing": ["Launch my first campaign and understand how we measure it."],
    "Finance": ["Run my first month-end close without help."],
    "People": ["Understand our HR systems and support my first hiring round."],
}
ONB_NOTES = [
    "I'm on parental leave for two weeks in April.",
    "Happy to take a second new hire if you're short of buddies.",
    "I work a four-day week (no Fridays).",
    "I'm partly colour-blind, so please no colour-coded schedules!",
    "I'd prefer someone outside the US time zones if possible, I travel a lot there anyway.",
    "Starting on 15 February rather than 1 February.",
    "I was a buddy last year and loved it.",
    "I'm fasting during Ramadan in March; afternoon meetings may be hard then.",
    "Please pair me with someone who is also new to the company's remote setup.",
    "I'll be at a customer site most of March.",
]

# fixed people referenced from program.yaml or wanted by many
ONB_STARS = [
    # (given, family, culture, department, kind, level, place)
    ("Hannah", "Schmidt", "german", "Engineering", "head", "VP", "Berlin"),
    ("Adaeze", "Okafor", "nigerian", "Customer Success", "head", "Director", "London"),
    ("Kenji", "Watanabe", "japanese", "Engineering", "ic", "Principal", "San Francisco"),
    ("Marcus", "Johnson", "american", "Product", "ic", "Lead", "New York"),
]


def onb_title(dept: str, kind: str, level: str) -> str:
    ic, manager, head, _ = ONB_DEPTS[dept]
    if kind == "head":
        return head
    if kind == "manager":
        return "Senior " + manager if level == "Principal" and "Lead" not in manager else manager
    prefix = {
        "Associate": "Associate ",
        "Professional": "",
        "Senior": "Senior ",
        "Lead": "Lead ",
        "Principal": "Principal ",
    }[level]
    if dept == "Engineering" and level == "Principal":
        return "Principal Engineer"
    return prefix + ic


def make_onboarding() -> None:
    rng = random.Random(SEEDS["onboarding"])
    program = load_program(SAMPLES / "onboarding")
    names = Names(rng, "example.com")
    names.reserve(*((s[0], s[1]) for s in ONB_STARS), ("Ravi", "Krishnan"))
    people: list[Person] = []
    star_keys = {(s[3], s[4], s[5]): s for s in ONB_STARS}
    used_text: dict[str, int] = {}

    def place_for(dept: str) -> Place:
        return ONB_PLACE_BY_NAME[weighted(rng, ONB_DEPT_PLACES[dept])]

    def new_person(
        dept: str,
        kind: str,
        level: str,
        role: str,
        manager: str,
        fixed: tuple[str, ...] | None = None,
        place: Place | None = None,
    ) -> Person:
        place = place or place_for(dept)
        if fixed:
            given, family, culture = fixed[0], fixed[1], fixed[2]
            name, email = names.fixed(given, family)
            place = ONB_PLACE_BY_NAME[fixed[6]]
        else:
            culture = weighted(rng, place.cultures)
            name, email = names.make(culture)
        li = ONB_LEVELS.index(level)
        if role == "mentee":
            tenure = rng.choices([0, 1, 2, 3], weights=[5, 4, 2, 1])[0]
        elif kind == "head":
            tenure = rng.randint(30, 130)
        elif kind == "manager":
            tenure = rng.randint(16, 96)
        else:
            tenure = rng.randint(9, 84)
        return Person(
            email=email,
            name=name,
            role=role,
            department=dept,
            title=onb_title(dept, kind, level),
            level=level,
            manager_email=manager,
            location=place.location,
            timezone=place.timezone,
            languages=languages_for(rng, culture, place),
            tenure_months=tenure,
            years_experience=years_for(rng, li, ONB_YEARS),
            culture=culture,
            kind=kind,
        )

    # ---- org chart: heads, managers, senior individual contributors, new hires
    heads: dict[str, Person] = {}
    managers: dict[str, list[Person]] = {}
    for dept, (_, _, _, head_level) in ONB_DEPTS.items():
        fixed = star_keys.get((dept, "head", head_level))
        heads[dept] = new_person(dept, "head", head_level, "mentor", "", fixed)
        people.append(heads[dept])
    # Data and Design report into Engineering and Product; the rest to the CEO
    # (not in the program, so their manager cell is blank).
    heads["Data"].manager_email = heads["Engineering"].email
    heads["Design"].manager_email = heads["Product"].email
    for dept, (n_managers, n_senior, _) in ONB_SIZES.items():
        managers[dept] = []
        for _ in range(n_managers):
            level = rng.choices(["Lead", "Principal"], weights=[3, 2])[0]
            m = new_person(dept, "manager", level, "mentor", heads[dept].email)
            managers[dept].append(m)
            people.append(m)
        for i in range(n_senior):
            level = rng.choices(["Senior", "Lead", "Principal"], weights=[11, 6, 3])[0]
            # the department's first senior mentor may be one of the fixed stars
            fixed = star_keys.get((dept, "ic", "Principal")) or star_keys.get((dept, "ic", "Lead"))
            if i or not fixed:
                fixed = None
            else:
                level = fixed[5]
            boss = rng.choice(managers[dept]) if managers[dept] else heads[dept]
            people.append(new_person(dept, "ic", level, "mentor", boss.email, fixed))

    # Two sign-ups who do not meet the eligibility rules (shown as ineligible).
    eng_boss = managers["Engineering"][0]
    too_junior = new_person("Engineering", "ic", "Professional", "mentor", eng_boss.email)
    too_junior.tenure_months = 14
    people.append(too_junior)
    too_new = new_person("Marketing", "ic", "Senior", "mentor", managers["Marketing"][0].email)
    too_new.tenure_months = 5
    people.append(too_new)

    mentors = [p for p in people if p.role == "mentor"]
    # The lock in program.yaml: Ravi Krishnan, a new senior data scientist.
    ravi = new_person(
        "Data",
        "ic",
        "Senior",
        "mentee",
        managers["Data"][0].email,
        ("Ravi", "Krishnan", "indian", "Data", "ic", "Senior", "Berlin"),
    )
    ravi.title = "Senior Data Scientist"
    ravi.languages = "English; Hindi; Tamil"
    ravi.tenure_months = 0
    people.append(ravi)
    for dept, (_, _, n_new) in ONB_SIZES.items():
        n_new -= 1 if dept == "Data" else 0
        for _ in range(n_new):
            level = rng.choices(ONB_LEVELS[:4], weights=[30, 45, 20, 5])[0]
            boss = rng.choice(managers[dept]) if managers[dept] else heads[dept]
            people.append(new_person(dept, "new", level, "mentee", boss.email))
    mentees = [p for p in people if p.role == "mentee"]
    # A few new hires in local-language teams do not work in English, which
    # makes `require_same: [languages]` bite.
    local = [
        p
        for p in mentees
        if p.department in ("Customer Success", "Sales")
        and (p.location, p.culture)
        in (("São Paulo", "brazilian"), ("Remote - Mexico City", "hispanic"))
    ]
    for p in local[:3]:
        p.languages = CULTURES[p.culture][2][0]

    # ---- answers
    skills = program.question("skills_wanted").options  # type: ignore[union-attr]
    avail = program.question("availability").options  # type: ignore[union-attr]
    stars = [
        p
        for p in mentors
        if (p.name.split()[0], p.name.split()[-1]) in {(s[0], s[1]) for s in ONB_STARS}
    ]
    assert len(stars) == 4, [p.name for p in stars]
    for p in people:
        a = p.answers
        remote = p.location.startswith("Remote")
        far = p.timezone.startswith(("Asia", "America/Sao", "Africa"))
        if p.role == "mentee":
            w = dict(ONB_WANT_BASE)
            for k, v in ONB_WANT_DEPT.get(p.department, {}).items():
                w[k] = v
            if remote or far:
                w["Working across time zones"] += 12
            if p.level in ("Senior", "Lead"):
                w["Career growth here"] += 6
                w["Working with stakeholders"] += 6
            k = rng.choices([1, 2, 3], weights=[15, 35, 50])[0]
            a["skills_wanted"] = in_option_order(skills, sample_weighted(rng, w, k))
        else:
            w = dict(ONB_OFFER_BASE)
            for k2, v in ONB_OFFER_DEPT.get(p.department, {}).items():
                w[k2] = v
            if p.kind in ("head", "manager"):
                w["Career growth here"] += 14
                w["Giving and receiving feedback"] += 10
            if remote or far:
                w["Working across time zones"] += 14
            k = rng.choices([2, 3, 4, 5], weights=[20, 35, 30, 15])[0]
            a["skills_offered"] = in_option_order(skills, sample_weighted(rng, w, k))
        slot_w = {
            "Early morning": 2,
            "Late morning": 4,
            "Lunchtime": 6,
            "Early afternoon": 4,
            "Late afternoon": 3,
        }
        if p.kind == "head":
            slot_w = {
                "Early morning": 5,
                "Late morning": 1,
                "Lunchtime": 2,
                "Early afternoon": 1,
                "Late afternoon": 4,
            }
        k = rng.choices([1, 2, 3, 4], weights=[20, 40, 30, 10])[0]
        a["availability"] = in_option_order(avail, sample_weighted(rng, slot_w, k))
        if remote:
            a["meeting_preference"] = rng.choices(["Video call", "No preference"], weights=[8, 2])[
                0
            ]
        else:
            a["meeting_preference"] = rng.choices(
                ["In person", "Video call", "No preference"], weights=[5, 2, 4]
            )[0]
        if p.role == "mentor":
            exp_w = [1, 4, 5] if p.kind in ("head", "manager") else [4, 5, 2]
            a["mentor_experience"] = rng.choices(
                ["Never", "Once or twice", "Many times"], weights=exp_w
            )[0]
        else:
            if rng.random() < 0.72:
                pool = ONB_GOALS_GENERIC + ONB_GOALS_DEPT.get(p.department, []) * 2
                a["first_90_days"] = pick_text(rng, pool, used_text)
            if rng.random() < 0.42:
                wants: dict[str, float] = {s.email: 9.0 for s in stars}
                wants[stars[0].email] = 14.0  # the VP everyone has heard speak
                for m in mentors:
                    if m.email not in wants:
                        wants[m.email] = 2.5 if m.location == p.location else 0.4
                        if m.department == p.department:
                            wants[m.email] += 1.5
                n = rng.choices([1, 2, 3], weights=[5, 3, 3])[0]
                a["preferred_mentors"] = sample_weighted(rng, wants, n)
        if rng.random() < 0.12:
            a["notes"] = pick_text(rng, ONB_NOTES, used_text)
    # Someone asks for their own manager: the management-chain rule will refuse it.
    asker = next(
        p
        for p in mentees
        if p.manager_email and "preferred_mentors" not in p.answers and p.department == "Sales"
    )
    asker.answers["preferred_mentors"] = [asker.manager_email]

    rng.shuffle(people)  # sign-up order
    write_roster("onboarding", program, people)
    write_form_responses(rng, program, people)


FORM_COLUMNS = [f for f in ROSTER_FIELDS if f != "capacity"]


def write_form_responses(rng: random.Random, program: Program, people: list[Person]) -> None:
    """A Google Forms export of the first ~30 sign-ups, two of whom submitted twice."""
    by_field = {v: k for k, v in program.survey.columns.items()}
    header = ["Timestamp"] + [by_field[f] for f in FORM_COLUMNS]
    header += [q.label for q in program.survey.questions]
    chosen = people[:30]
    minutes = sorted(rng.sample(range(0, 14 * 24 * 60), len(chosen) + 2))
    submissions: list[tuple[Person, dict[str, object]]] = []
    twice = [p for p in chosen if p.role == "mentee"][2:4]
    for p in chosen:
        if p in twice:
            first = dict(p.answers)
            if p is twice[0]:  # changed their mind on availability
                first["availability"] = (
                    ["Early morning"]
                    if p.answers["availability"] != ["Early morning"]
                    else ["Lunchtime"]
                )
            else:  # first time round picked another skill and meeting style
                wanted = p.answers["skills_wanted"]
                first["skills_wanted"] = [
                    next(
                        o
                        for o in program.question("skills_wanted").options or []
                        if o not in wanted
                    )
                ]  # type: ignore[operator]
                first["meeting_preference"] = (
                    "No preference"
                    if p.answers["meeting_preference"] != "No preference"
                    else "In person"
                )
            submissions.append((p, first))
    submissions += [(p, p.answers) for p in chosen]
    # the first submission of each double sign-up comes earlier; the rest in sign-up order
    rows: list[list[str]] = []
    for minute, (p, answers) in zip(minutes, submissions, strict=True):
        day, rest = divmod(minute, 24 * 60)
        hour, mins = divmod(rest, 60)
        sec = rng.randint(0, 59)
        # Google Sheets' US export: M/D/YYYY H:MM:SS, in the form owner's time zone
        stamp = f"1/{11 + day}/2027 {hour}:{mins:02d}:{sec:02d}"
        row = [stamp]
        for f in FORM_COLUMNS:
            value = getattr(p, f)
            row.append(
                fmt_years(value) if f == "years_experience" else str(value).replace("; ", ", ")
            )
        for q in program.survey.questions:
            row.append(cell(answers.get(q.id), sep=", "))
        rows.append(row)
    write_csv(SAMPLES / "onboarding" / "form-responses.csv", header, rows, bom=True, crlf=True)


# =========================================================================== engineering

ENG_PLACES = {
    "Amsterdam": Place(
        "Amsterdam",
        "Europe/Amsterdam",
        "Dutch",
        {
            "dutch": 4,
            "german": 1,
            "indian": 1.5,
            "turkish": 0.7,
            "italian": 0.7,
            "brazilian": 0.5,
            "ukrainian": 0.7,
            "chinese": 0.5,
            "arabic": 0.5,
        },
    ),
    "London": Place(
        "London",
        "Europe/London",
        None,
        {
            "british": 4,
            "irish": 1,
            "indian": 1.5,
            "nigerian": 1,
            "french": 0.7,
            "chinese": 0.5,
            "ghanaian": 0.5,
        },
    ),
    "Lisbon": Place(
        "Lisbon",
        "Europe/Lisbon",
        "Portuguese",
        {"portuguese": 4, "brazilian": 2, "french": 0.5, "ukrainian": 0.5},
    ),
    "Remote - Kraków": Place(
        "Remote - Kraków", "Europe/Warsaw", "Polish", {"polish": 4, "ukrainian": 1}
    ),
    "Remote - Kyiv": Place("Remote - Kyiv", "Europe/Kyiv", "Ukrainian", {"ukrainian": 1}),
    "New York": Place(
        "New York",
        "America/New_York",
        None,
        {
            "american": 5,
            "hispanic": 1.5,
            "chinese": 1,
            "korean": 0.7,
            "indian": 1.2,
            "japanese": 0.5,
        },
    ),
    "Remote - Toronto": Place(
        "Remote - Toronto",
        "America/Toronto",
        None,
        {
            "american": 2,
            "chinese": 1,
            "indian": 1,
            "filipino": 0.6,
            "vietnamese": 0.5,
            "korean": 0.5,
        },
    ),
}
ENG_TEAMS: dict[str, dict[str, float]] = {  # team -> where its people sit
    "Platform": {"Amsterdam": 4, "Remote - Kraków": 2, "London": 1, "Remote - Kyiv": 1},
    "Payments": {"London": 4, "Amsterdam": 2, "Lisbon": 1},
    "Mobile": {"Lisbon": 3, "Amsterdam": 2, "Remote - Kyiv": 1},
    "Data Platform": {"Amsterdam": 3, "New York": 2, "Remote - Toronto": 1},
    "Security": {"London": 2, "Remote - Kraków": 1, "New York": 1},
    "Developer Experience": {"Amsterdam": 2, "Remote - Kraków": 1, "Lisbon": 1},
    "Search": {"New York": 3, "Remote - Toronto": 2},
    "Web": {"New York": 2, "Lisbon": 2, "London": 1},
}
ENG_LEVELS = ["Junior", "Mid", "Senior", "Staff", "Senior Staff", "Principal"]
ENG_YEARS = [(0, 2.5), (2, 5.5), (4.5, 10), (7, 15), (10, 18), (12, 25)]
ENG_TOPICS_OFFER = {
    "Platform": [
        "Distributed systems",
        "Cloud infrastructure",
        "Observability and on-call",
        "Performance tuning",
    ],
    "Payments": ["API design", "Distributed systems", "Testing strategy", "Security engineering"],
    "Mobile": ["Mobile development", "Frontend architecture", "Testing strategy"],
    "Data Platform": ["Data engineering", "Machine learning in production", "Performance tuning"],
    "Security": ["Security engineering", "Code review", "Cloud infrastructure"],
    "Developer Experience": [
        "Testing strategy",
        "Code review",
        "Technical writing",
        "Cloud infrastructure",
    ],
    "Search": ["Performance tuning", "Distributed systems", "Machine learning in production"],
    "Web": ["Frontend architecture", "API design", "Performance tuning"],
}
ENG_WANT = {
    "Career ladder and promotion": 30,
    "Distributed systems": 24,
    "Machine learning in production": 20,
    "API design": 14,
    "Observability and on-call": 13,
    "Cloud infrastructure": 14,
    "Data engineering": 9,
    "Security engineering": 8,
    "Frontend architecture": 7,
    "Testing strategy": 7,
    "Code review": 8,
    "Performance tuning": 7,
    "Mobile development": 4,
    "Technical writing": 4,
}
ENG_STACK = {
    "Platform": {"Go": 6, "Rust": 1, "Python": 1},
    "Payments": {"Java or Kotlin": 6, "Go": 1, "Scala": 1},
    "Mobile": {"Swift": 4, "Java or Kotlin": 4, "TypeScript": 1},
    "Data Platform": {"Python": 5, "Scala": 3, "Java or Kotlin": 1},
    "Security": {"Go": 3, "Python": 3, "Rust": 2},
    "Developer Experience": {"Go": 3, "TypeScript": 2, "Python": 2},
    "Search": {"Java or Kotlin": 4, "Rust": 2, "Python": 1},
    "Web": {"TypeScript": 8, "Go": 1},
}
ENG_GOALS = {  # first wanted topic -> goals people wrote; "" = any topic
    "": [
        "Meet people outside my team and learn how the rest of engineering sees us.",
        "Grow my network in the New York office.",
        "Get a feel for what Staff engineers actually do all day.",
    ],
    "Career ladder and promotion": [
        "Build a promotion case for the next level and understand what the committee looks for.",
        "Work out whether the staff track or management is right for me.",
    ],
    "Distributed systems": [
        "Understand how other teams deal with retries, idempotency and partial failure.",
        "Stop being scared of consensus and queues in design reviews.",
    ],
    "Machine learning in production": [
        "Learn how to put an ML model behind an API without waking anyone up at night.",
    ],
    "API design": ["See how a payments API stays backwards compatible for years."],
    "Observability and on-call": [
        "See how another team runs on-call without burning out.",
        "Write alerts that mean something, and fewer of them.",
    ],
    "Cloud infrastructure": ["Understand our Kubernetes setup beyond copy-pasting manifests."],
    "Data engineering": [
        "Understand the data platform well enough to stop filing tickets for every new table.",
    ],
    "Security engineering": ["Understand threat modelling well enough to run one for my team."],
    "Testing strategy": ["Find out how other teams test; our suite takes 40 minutes."],
    "Code review": ["Get comfortable reviewing code from people more senior than me."],
    "Performance tuning": ["Learn to profile and fix performance problems instead of guessing."],
    "Technical writing": ["Get better at writing design docs that people actually read."],
    "Frontend architecture": ["Learn how to split a large React app without a rewrite."],
    "Mobile development": ["Ship a small feature in the iOS app to see how mobile releases work."],
}


def likert(rng: random.Random, latent: float, reverse: bool) -> int:
    """A 1-5 item answer from a standardised trait score, with item noise."""
    z = -latent if reverse else latent
    return max(1, min(5, round(3 + 1.05 * z + rng.gauss(0, 0.75))))


def make_engineering() -> None:
    rng = random.Random(SEEDS["engineering-group"])
    program = load_program(SAMPLES / "engineering-group")
    names = Names(rng, "example.org")
    names.reserve(("Tomasz", "Wójcik"), ("Aiko", "Tanaka"))
    people: list[Person] = []
    used_text: dict[str, int] = {}

    def new_person(
        team: str,
        level: str,
        title: str,
        role: str,
        manager: str,
        fixed: tuple[str, str, str] | None = None,
        where: str | None = None,
    ) -> Person:
        place = ENG_PLACES[where or weighted(rng, ENG_TEAMS[team])]
        if fixed:
            name, email = names.fixed(fixed[0], fixed[1])
            culture = fixed[2]
        else:
            culture = weighted(rng, place.cultures)
            name, email = names.make(culture)
        li = ENG_LEVELS.index(level)
        tenure_range = [(1, 18), (3, 40), (4, 70), (12, 96), (18, 110), (24, 130)][li]
        p = Person(
            email=email,
            name=name,
            role=role,
            department=team,
            title=title,
            level=level,
            manager_email=manager,
            location=place.location,
            timezone=place.timezone,
            languages=languages_for(rng, culture, place),
            tenure_months=rng.randint(*tenure_range),
            years_experience=years_for(rng, li, ENG_YEARS),
            culture=culture,
        )
        people.append(p)
        return p

    vp = new_person("Platform", "Principal", "VP Engineering", "mentor", "", where="Amsterdam")
    vp.capacity = 2
    vp.kind = "head"
    teams = list(ENG_TEAMS)
    director_teams = [teams[0:3], teams[3:6], teams[6:8]]
    for group in director_teams:
        d = new_person(group[0], "Principal", "Director of Engineering", "mentor", vp.email)
        d.kind = "head"
        d.capacity = rng.choice([None, 2])
        for team in group:
            big = team in ("Platform", "Payments")
            em = new_person(
                team,
                "Senior Staff" if big else "Staff",
                "Senior Engineering Manager" if big else "Engineering Manager",
                "mentor",
                d.email,
            )
            em.kind = "manager"
            em.capacity = rng.choice([None, None, 4, 2])
            n_staff = 2 if big else rng.choice([1, 2])
            for i in range(n_staff):
                level = "Senior Staff" if i == 1 and big else "Staff"
                fixed = ("Tomasz", "Wójcik", "polish") if team == "Platform" and i == 0 else None
                s = new_person(
                    team,
                    level,
                    f"{level} Engineer",
                    "mentor",
                    em.email,
                    fixed,
                    where="Remote - Kraków" if fixed else None,
                )
                s.kind = "staff"
                s.capacity = rng.choice([None, 2, 3, 4, 5])
            n_senior = 5
            n_mid = 6 if big else rng.choice([5, 6])
            n_junior = 4 if big else rng.choice([3, 4])
            for _ in range(n_senior):
                s = new_person(team, "Senior", "Senior Software Engineer", "mentee", em.email)
                s.kind = "senior"
            for _ in range(n_mid):
                new_person(team, "Mid", "Software Engineer", "mentee", em.email)
            for _ in range(n_junior):
                fixed = (
                    ("Aiko", "Tanaka", "japanese")
                    if team == "Developer Experience"
                    and not any(p.name == "Aiko Tanaka" for p in people)
                    else None
                )
                new_person(
                    team,
                    "Junior",
                    "Associate Software Engineer",
                    "mentee",
                    em.email,
                    fixed,
                    where="Amsterdam" if fixed else None,
                )
    for team, stack_title in (
        ("Platform", "Principal Engineer"),
        ("Data Platform", "Principal Engineer"),
    ):
        p = new_person(team, "Principal", stack_title, "mentor", vp.email)
        p.kind = "staff"
        p.capacity = rng.choice([4, 5])
    # Fill to 150 with mid-level engineers in the biggest teams.
    i = 0
    while len(people) < 150:
        team = ["Payments", "Web", "Platform", "Search"][i % 4]
        em = next(p for p in people if p.department == team and p.kind == "manager")
        new_person(team, "Mid", "Software Engineer", "mentee", em.email)
        i += 1
    # Seniors: some host a pod, some host and join one ("both"), the rest join.
    seniors = [p for p in people if p.kind == "senior"]
    rng.shuffle(seniors)
    for p in seniors[:14]:
        p.role = "mentor"
        p.capacity = rng.choice([None, 2, 2, 3])
    for p in seniors[14:26]:
        p.role = "both"
        p.capacity = rng.choice([1, 2, None])
    # Two staff engineers want a pod of their own (with a Principal) as well.
    staff = [p for p in people if p.kind == "staff" and p.level == "Staff"]
    for p in rng.sample(staff, 2):
        p.role = "both"
    # Keep the forbidden pair of program.yaml meaningful: Tomasz hosts a pod.
    tomasz = next(p for p in people if p.name == "Tomasz Wójcik")
    tomasz.role, tomasz.capacity = "mentor", 4
    # Eligibility edge cases: a Senior with too little experience, one too new.
    hosts = [p for p in seniors[:14]]
    hosts[0].years_experience = 4.0
    hosts[1].tenure_months = 3

    # ---- answers
    topics = program.question("topics_wanted").options  # type: ignore[union-attr]
    slots = program.question("pod_slot").options  # type: ignore[union-attr]
    ipip = [q.id for q in program.survey.questions if q.id.startswith("ipip_")]
    for p in people:
        a = p.answers
        if p.role in ("mentor", "both"):
            w = {t: 3.0 for t in topics}
            for t in ENG_TOPICS_OFFER[p.department]:
                w[t] = 22.0
            w["Career ladder and promotion"] = 20.0 if p.kind in ("head", "manager") else 6.0
            w["Code review"] += 4
            w["Technical writing"] += 1 if p.kind != "staff" else 6
            k = rng.choices([2, 3, 4, 5], weights=[15, 35, 35, 15])[0]
            a["topics_offered"] = in_option_order(topics, sample_weighted(rng, w, k))
        if p.role in ("mentee", "both"):
            w = dict(ENG_WANT)
            for t in ENG_TOPICS_OFFER[p.department]:
                w[t] = max(2.0, w[t] * 0.4)  # people look beyond their own team
            if p.level == "Junior":
                w["Code review"] += 8
                w["Testing strategy"] += 5
            if p.level in ("Senior", "Staff"):
                w["Career ladder and promotion"] += 15
                w["Technical writing"] += 6
            k = rng.choices([1, 2, 3], weights=[15, 40, 45])[0]
            a["topics_wanted"] = in_option_order(topics, sample_weighted(rng, w, k))
            if rng.random() < 0.6:
                first = str(rng.choice(a["topics_wanted"]))  # type: ignore[arg-type]
                pool = ENG_GOALS.get(first, []) * 2 + ENG_GOALS[""]
                a["learning_goal"] = pick_text(rng, pool, used_text)
        a["primary_stack"] = weighted(rng, ENG_STACK[p.department])
        slot_w = {s: 3.0 for s in slots}
        slot_w["Tuesday lunchtime"] = 5.0
        slot_w["Friday lunchtime"] = 1.5
        k = rng.choices([1, 2, 3, 4], weights=[15, 40, 30, 15])[0]
        a["pod_slot"] = in_option_order(slots, sample_weighted(rng, slot_w, k))
        traits = {t: rng.gauss(0, 1) for t in ("ext", "agr", "con", "neu", "int")}
        traits["int"] += 0.3  # engineers lean towards "intellect"
        for qid in ipip:
            trait = qid.split("_")[1]
            a[qid] = likert(rng, traits[trait], qid.endswith("_r"))

    rng.shuffle(people)
    write_roster("engineering-group", program, people)


# =========================================================================== tech circles

TC_PLACES = {
    "Dublin": Place(
        "Dublin",
        "Europe/Dublin",
        None,
        {
            "irish": 5,
            "british": 1,
            "polish": 1,
            "brazilian": 0.7,
            "indian": 1,
            "nigerian": 0.5,
            "italian": 0.5,
            "chinese": 0.5,
        },
    ),
    "London": Place(
        "London",
        "Europe/London",
        None,
        {
            "british": 4,
            "indian": 1.5,
            "nigerian": 1,
            "ghanaian": 0.6,
            "arabic": 0.5,
            "french": 0.5,
            "chinese": 0.5,
            "irish": 0.7,
        },
    ),
    "Edinburgh": Place(
        "Edinburgh",
        "Europe/London",
        None,
        {"british": 4, "irish": 0.5, "polish": 0.7, "indian": 0.5},
    ),
    "Lisbon": Place(
        "Lisbon", "Europe/Lisbon", "Portuguese", {"portuguese": 5, "brazilian": 1.5, "french": 0.5}
    ),
    "Toronto": Place(
        "Toronto",
        "America/Toronto",
        None,
        {"american": 2, "chinese": 1, "indian": 1, "filipino": 0.7, "french": 0.7, "korean": 0.5},
    ),
}
TC_PLACE_W = {"Dublin": 5, "London": 4, "Edinburgh": 2, "Lisbon": 1.5, "Toronto": 1.2}
TC_LEVELS = [
    "Analyst",
    "Associate",
    "Senior Associate",
    "Manager",
    "Senior Manager",
    "Director",
    "Managing Director",
    "Executive",
]
TC_YEARS = [(0.5, 3), (2, 5), (3.5, 8), (6, 14), (9, 18), (12, 24), (15, 28), (18, 32)]
TC_DEPTS = [
    "Underwriting",
    "Claims",
    "Finance",
    "Risk and Compliance",
    "Marketing",
    "Technology",
    "Data and Analytics",
    "People",
    "Legal",
    "Customer Service",
]
TC_TITLES = {
    "Executive": {
        "Finance": "Chief Financial Officer",
        "Claims": "Chief Operating Officer",
        "Technology": "Chief Information Officer",
    },
}
TC_TOPIC_W = {
    "Generative AI at work": 40,
    "Data storytelling and dashboards": 17,
    "Automating routine work": 15,
    "Cybersecurity and phishing": 8,
    "Social media and personal brand": 7,
    "Collaboration tools": 8,
    "Accessibility in digital products": 5,
}
TC_LEARN = {  # first-ranked topic -> what members wrote
    "Generative AI at work": [
        "Use an AI assistant to draft my board papers, and know where it goes wrong.",
        "Understand enough about generative AI to ask the right questions of vendors.",
        "Try three AI tools in my own work and decide which ones are worth the licence.",
        "Know what our younger customers expect when they talk to a chatbot about a claim.",
    ],
    "Data storytelling and dashboards": [
        "Build my own simple dashboard instead of waiting for the monthly pack.",
        "Read a chart in a vendor pitch and tell when it is misleading.",
    ],
    "Automating routine work": [
        "Automate the weekly claims summary I still build by hand in Excel.",
        "Get over my fear of breaking something when I try a new app.",
    ],
    "Cybersecurity and phishing": [
        "Stop forwarding every suspicious email to IT and spot phishing myself.",
    ],
    "Social media and personal brand": ["Post on LinkedIn without feeling awkward about it."],
    "Collaboration tools": [
        "Run a meeting in Teams or Miro where everyone contributes, not just the loudest.",
    ],
    "Accessibility in digital products": [
        "Understand why accessibility matters for our customer portal and what good looks like.",
    ],
}
TC_WHY = {  # main topic -> why facilitators signed up; "" = any topic
    "": [
        "Exposure to senior leaders and a chance to practise running sessions.",
        "I ran a student society workshop series and miss teaching.",
        "To understand how decisions are made at the top, and to meet people outside my team.",
    ],
    "Generative AI at work": [
        "I use these tools every day and would love to help leaders see what they can do.",
        "I'd like to help shape how we adopt AI here, and this is a good way to start.",
    ],
    "Automating routine work": [
        "I built our team's claims-triage automation and enjoy showing people how it works.",
    ],
    "Cybersecurity and phishing": [
        "The security basics are where we are most exposed, and I want to help fix that.",
    ],
    "Data storytelling and dashboards": [
        "Half my job is turning spreadsheets into charts people understand; happy to share how.",
    ],
    "Social media and personal brand": [
        "I run our graduate recruitment channels and can make LinkedIn less scary.",
    ],
}


def make_tech_circles() -> None:
    rng = random.Random(SEEDS["tech-circles"])
    program = load_program(SAMPLES / "tech-circles")
    names = Names(rng, "example.com")
    people: list[Person] = []
    used_text: dict[str, int] = {}

    def new_person(
        dept: str, level: str, role: str, manager: str, where: str | None = None
    ) -> Person:
        place = TC_PLACES[where or weighted(rng, TC_PLACE_W)]
        culture = weighted(rng, place.cultures)
        name, email = names.make(culture)
        li = TC_LEVELS.index(level)
        title = (
            TC_TITLES.get(level, {}).get(dept)
            or {
                "Analyst": f"{dept} Analyst",
                "Associate": f"{dept} Associate",
                "Senior Associate": f"Senior {dept} Associate",
                "Manager": f"{dept} Manager",
                "Senior Manager": f"Senior {dept} Manager",
                "Director": f"Director, {dept}",
                "Managing Director": f"Managing Director, {dept}",
                "Executive": f"Chief {dept} Officer",
            }[level]
        )
        tenure_range = [
            (2, 30),
            (6, 40),
            (10, 60),
            (18, 120),
            (24, 150),
            (30, 180),
            (36, 220),
            (24, 240),
        ][li]
        english = True
        p = Person(
            email=email,
            name=name,
            role=role,
            department=dept,
            title=title,
            level=level,
            manager_email=manager,
            location=place.location,
            timezone=place.timezone,
            languages=languages_for(rng, culture, place, english),
            tenure_months=rng.randint(*tenure_range),
            years_experience=years_for(rng, li, TC_YEARS),
            culture=culture,
        )
        people.append(p)
        return p

    # ---- members: a top-heavy slice of the org chart (only sign-ups are listed)
    coo = new_person("Claims", "Executive", "mentee", "", "Dublin")
    cfo = new_person("Finance", "Executive", "mentee", coo.email, "London")
    cio = new_person("Technology", "Executive", "mentee", coo.email, "Dublin")
    execs = [coo, cfo, cio]
    mds = [
        new_person(d, "Managing Director", "mentee", rng.choice(execs).email)
        for d in ("Underwriting", "Claims", "Finance", "Marketing", "Customer Service")
    ]
    # every department has a director; the big ones have two
    directors = []
    for dept in [*TC_DEPTS, "Claims", "Underwriting"]:
        md = next((m for m in mds if m.department == dept), None) or rng.choice(mds)
        directors.append(new_person(dept, "Director", "mentee", md.email))
    senior_managers = []
    for i in range(13):
        d = directors[i] if i < len(directors) else rng.choice(directors)
        senior_managers.append(new_person(d.department, "Senior Manager", "mentee", d.email))
    managers = []
    for _ in range(15):
        sm = rng.choice(senior_managers)
        managers.append(new_person(sm.department, "Manager", "mentee", sm.email))

    # ---- facilitators: juniors who report to members
    fac_topics = (
        ["Generative AI at work"] * 3
        + ["Data storytelling and dashboards"] * 2
        + ["Automating routine work"] * 2
        + ["Cybersecurity and phishing", "Social media and personal brand", "Collaboration tools"]
    )
    fac_depts = {
        "Generative AI at work": ["Technology", "Data and Analytics", "Marketing"],
        "Data storytelling and dashboards": ["Data and Analytics", "Finance"],
        "Automating routine work": ["Claims", "Technology"],
        "Cybersecurity and phishing": ["Technology"],
        "Social media and personal brand": ["Marketing"],
        "Collaboration tools": ["People"],
    }
    facilitators: list[Person] = []
    for i, topic in enumerate(fac_topics):
        dept = fac_depts[topic][i % len(fac_depts[topic])]
        bosses = [m for m in managers + senior_managers if m.department == dept]
        boss = rng.choice(bosses or [d for d in directors if d.department == dept])
        level = rng.choices(TC_LEVELS[:3], weights=[4, 4, 2])[0]
        where = "Toronto" if i == 4 else None
        f = new_person(dept, level, "mentor", boss.email, where)
        f.tenure_months = max(f.tenure_months, 6 + i)  # all ten meet the six-month rule
        f.answers["_topic"] = topic
        facilitators.append(f)
    # Two sign-ups the rules turn away: a Manager (too senior to facilitate in a
    # reverse program) and an analyst three months in.
    eager = new_person("Marketing", "Manager", "mentor", rng.choice(senior_managers).email)
    eager.answers["_topic"] = "Social media and personal brand"
    fresh = new_person("Technology", "Analyst", "mentor", rng.choice(managers).email)
    fresh.tenure_months = 3
    fresh.answers["_topic"] = "Generative AI at work"
    facilitators += [eager, fresh]

    # ---- answers
    topic_opts = program.question("circle_topic").options  # type: ignore[union-attr]
    slots = program.question("meeting_slot").options  # type: ignore[union-attr]
    for p in people:
        a = p.answers
        if p.role == "mentor":
            main = str(a.pop("_topic"))
            extra_w = {t: 2.0 for t in topic_opts if t != main}
            extra_w["Accessibility in digital products"] = 0.4
            if main == "Generative AI at work":
                extra_w["Automating routine work"] = 6
            k = rng.choices([0, 1, 2], weights=[4, 4, 2])[0]
            a["circle_topic"] = [main, *sample_weighted(rng, extra_w, k)]
            a["facilitation_experience"] = rng.choices(
                ["Never", "Once or twice", "Regularly"], weights=[3, 5, 2]
            )[0]
            if rng.random() < 0.8:
                pool = TC_WHY.get(main, []) * 2 + TC_WHY[""]
                a["why_facilitate"] = pick_text(rng, pool, used_text)
        else:
            w = dict(TC_TOPIC_W)
            if p.department in ("Finance", "Risk and Compliance"):
                w["Data storytelling and dashboards"] += 10
            if p.department in ("Claims", "Customer Service", "Underwriting"):
                w["Automating routine work"] += 10
            if p.department == "Marketing":
                w["Social media and personal brand"] += 6
            if p.department == "Technology":
                w["Accessibility in digital products"] += 6
                w["Cybersecurity and phishing"] -= 6
            k = rng.choices([1, 2, 3], weights=[15, 35, 50])[0]
            a["circle_topic"] = sample_weighted(rng, w, k)
            rank = TC_LEVELS.index(p.level)
            a["tech_confidence"] = max(1, min(5, round(rng.gauss(3.6 - 0.3 * (rank - 3), 0.9))))
            a["open_to_junior"] = rng.choices([2, 3, 4, 5], weights=[1, 3, 6, 5])[0]
            if rng.random() < 0.75:
                first = str(a["circle_topic"][0])  # type: ignore[index]
                a["learning_goal"] = pick_text(rng, TC_LEARN[first], used_text)
        slot_w = {slots[0]: 5.0, slots[1]: 3.0, slots[2]: 2.0}
        if p.role == "mentor":
            slot_w = {slots[0]: 2.0, slots[1]: 4.0, slots[2]: 3.0}
        a["meeting_slot"] = weighted(rng, slot_w)
    # Toronto members prefer the afternoon slot (morning in Toronto is lunch in Dublin).
    for p in people:
        if p.location == "Toronto":
            p.answers["meeting_slot"] = slots[2]

    rng.shuffle(people)
    write_roster("tech-circles", program, people)


def main() -> None:
    make_onboarding()
    make_engineering()
    make_tech_circles()
    for name in SEEDS:
        print(f"wrote {(SAMPLES / name).relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
