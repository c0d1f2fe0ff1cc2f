"""The demo's members: who they are, where they live, what they make and share.

Every name, place and bio here is invented for the demo.
"""

from __future__ import annotations

from dataclasses import dataclass

GUILD = "illustrators-guild"
MAKERS = "makers-market"
RIVERSIDE = "riverside-share"


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    city: str
    country: str
    time_zone: str
    currency: str
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    bio: str
    # The communities they join, the first being the one they are most active in.
    communities: tuple[str, ...]
    # The category slugs they publish listings in.
    crafts: tuple[str, ...] = ()
    # Illustrators: the media they work in (the guild's ``style`` field).
    styles: tuple[str, ...] = ()
    commission_status: str = "open"
    commission_slots: int = 3
    away: bool = False
    # The language of their pages and e-mails (blank: their browser's).
    language: str = ""


PEOPLE: tuple[Person, ...] = (
    # --- Illustrators' Guild ------------------------------------------------------
    Person(
        "isla-mackenzie",
        "Isla MacKenzie",
        "Melbourne",
        "AU",
        "Australia/Melbourne",
        "AUD",
        ("English",),
        ("watercolour", "portraits", "book covers", "hand lettering"),
        "I paint **watercolour portraits** and book covers from a sunny studio in "
        "Fitzroy, and I started the Illustrators' Guild so that people like us could "
        "keep what we earn.\n\n- Twelve years of private commissions\n"
        "- Covers for three small presses\n\nI reply to every message within a day.",
        (GUILD, MAKERS),
        ("portraits", "book-covers"),
        ("watercolour", "ink"),
        "open",
        4,
    ),
    Person(
        "kofi-mensah",
        "Kofi Mensah",
        "Accra",
        "GH",
        "Africa/Accra",
        "USD",
        ("English", "Twi"),
        ("album art", "digital painting", "typography"),
        "Digital painter making **album art** for musicians across West Africa and "
        "beyond. Bold colour, strong shapes, and covers that still read at thumbnail "
        "size on a phone.",
        (GUILD,),
        ("album-art", "logos"),
        ("digital",),
        "open",
        5,
    ),
    Person(
        "yuki-tanaka",
        "Yuki Tanaka",
        "Osaka",
        "JP",
        "Asia/Tokyo",
        "USD",
        ("Japanese", "English"),
        ("ink", "character design", "manga"),
        "Ink and brush illustrator. I draw **character portraits** and covers with a "
        "manga-inspired line.\n\n*Commissions in English or Japanese.*",
        (GUILD,),
        ("portraits", "book-covers"),
        ("ink", "digital"),
        "waitlist",
        2,
    ),
    Person(
        "amelie-laurent",
        "Amélie Laurent",
        "Lyon",
        "FR",
        "Europe/Paris",
        "EUR",
        ("French", "English"),
        ("oil painting", "book covers", "editorial illustration"),
        "Oil painter turned cover artist. I love moody literary fiction, old maps and "
        "the colour of late afternoons.\n\n> A cover is a promise the book has to keep.",
        (GUILD,),
        ("book-covers", "portraits"),
        ("oil", "digital"),
        "open",
        2,
        language="fr",
    ),
    Person(
        "oliver-brooks",
        "Oliver Brooks",
        "Bristol",
        "GB",
        "Europe/London",
        "GBP",
        ("English",),
        ("logo design", "lettering", "branding"),
        "Lettering artist and **logo designer** for independent shops, breweries and "
        "bands. Everything starts as pencil on paper.\n\nModerator of the guild's "
        "board — say hello.",
        (GUILD, MAKERS),
        ("logos", "album-art"),
        ("ink", "digital"),
        "open",
        3,
    ),
    Person(
        "priya-raman",
        "Priya Raman",
        "Bengaluru",
        "IN",
        "Asia/Kolkata",
        "USD",
        ("English", "Tamil", "Kannada"),
        ("digital portraits", "pet portraits", "avatars"),
        "I draw **pet portraits** and cosy digital portraits of families. Dogs, cats, "
        "rabbits, the occasional tortoise.\n\nTurnaround is usually one week.",
        (GUILD,),
        ("portraits", "logos"),
        ("digital", "watercolour"),
        "open",
        6,
    ),
    Person(
        "mateo-silva",
        "Mateo Silva",
        "Porto",
        "PT",
        "Europe/Lisbon",
        "EUR",
        ("Portuguese", "English", "Spanish"),
        ("screen printing", "album art", "posters"),
        "Screen printer and illustrator. I make **album covers** and gig posters, and "
        "print them myself on an old press by the Douro.",
        (GUILD, MAKERS),
        ("album-art", "logos"),
        ("ink", "digital"),
        "open",
        3,
    ),
    Person(
        "grace-liu",
        "Grace Liu",
        "Vancouver",
        "CA",
        "America/Vancouver",
        "USD",
        ("English", "Mandarin"),
        ("children's books", "watercolour", "picture books"),
        "Children's book illustrator. Soft **watercolour**, big skies, small brave "
        "animals. Picture-book covers and full interiors.",
        (GUILD,),
        ("book-covers", "portraits"),
        ("watercolour",),
        "closed",
        0,
    ),
    Person(
        "noah-fischer",
        "Noah Fischer",
        "Leipzig",
        "DE",
        "Europe/Berlin",
        "EUR",
        ("German", "English"),
        ("minimal logos", "icon design", "brand identity"),
        "Minimal **logos** and brand identities for people who would rather be doing "
        "their actual work. Clear process, fixed prices, no surprises.",
        (GUILD,),
        ("logos",),
        ("digital", "ink"),
        "open",
        4,
        language="de",
    ),
    Person(
        "ruby-walker",
        "Ruby Walker",
        "Wellington",
        "NZ",
        "Pacific/Auckland",
        "AUD",
        ("English", "Te reo Māori"),
        ("pet portraits", "watercolour", "gouache"),
        "**Watercolour pet portraits** from Wellington. I work from your photos and "
        "send progress shots along the way.",
        (GUILD,),
        ("portraits",),
        ("watercolour", "oil"),
        "open",
        3,
        True,
    ),
    Person(
        "sofia-rossi",
        "Sofia Rossi",
        "Bologna",
        "IT",
        "Europe/Rome",
        "EUR",
        ("Italian", "English"),
        ("oil portraits", "classical painting"),
        "Classically trained **oil portrait** painter. Small panels, big feelings. "
        "Also restores the occasional family painting.",
        (GUILD,),
        ("portraits", "book-covers"),
        ("oil",),
        "waitlist",
        1,
    ),
    Person(
        "jamal-harris",
        "Jamal Harris",
        "Atlanta",
        "US",
        "America/New_York",
        "USD",
        ("English",),
        ("album art", "hip-hop", "collage"),
        "Collage and digital **album art** for hip-hop, soul and jazz. Ask me about "
        "rush jobs for release week.",
        (GUILD,),
        ("album-art", "logos"),
        ("digital", "ink"),
        "open",
        4,
    ),
    Person(
        "freya-olsen",
        "Freya Olsen",
        "Bergen",
        "NO",
        "Europe/Oslo",
        "EUR",
        ("Norwegian", "English"),
        ("botanical illustration", "ink", "labels"),
        "Botanical **ink** drawings for labels, logos and cosy book covers. Ferns are "
        "my love language.",
        (GUILD,),
        ("logos", "book-covers"),
        ("ink", "watercolour"),
        "open",
        2,
    ),
    Person(
        "lucia-mendez",
        "Lucía Méndez",
        "Mexico City",
        "MX",
        "America/Mexico_City",
        "USD",
        ("Spanish", "English"),
        ("digital painting", "book covers", "fantasy art"),
        "Digital painter for **fantasy and sci-fi book covers**. Dragons welcome, "
        "spaceships preferred.",
        (GUILD,),
        ("book-covers", "album-art"),
        ("digital", "oil"),
        "open",
        3,
        language="es",
    ),
    # --- Makers' Market -----------------------------------------------------------
    Person(
        "tomasz-nowak",
        "Tomasz Nowak",
        "Kraków",
        "PL",
        "Europe/Warsaw",
        "EUR",
        ("Polish", "English", "German"),
        ("woodwork", "joinery", "furniture"),
        "Joiner and the host of the Makers' Market. I build **oak and walnut** pieces "
        "to measure, and I believe every maker should be paid the day the buyer is "
        "happy.",
        (MAKERS,),
        ("woodwork",),
    ),
    Person(
        "aoife-byrne",
        "Aoife Byrne",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("English", "Irish"),
        ("knitting", "aran knits", "mending"),
        "Hand-knitter from Stoneybatter. **Aran jumpers**, baby blankets and visible "
        "mending. I also lend my sewing machine to the neighbours.",
        (MAKERS, RIVERSIDE),
        ("knitwear", "home"),
    ),
    Person(
        "hannah-weber",
        "Hannah Weber",
        "Hamburg",
        "DE",
        "Europe/Berlin",
        "EUR",
        ("German", "English"),
        ("ceramics", "wheel throwing", "glazes"),
        "Potter. I throw **stoneware mugs and bowls** on the wheel and mix my own "
        "glazes. Every piece is food-safe and dishwasher-proof.",
        (MAKERS,),
        ("ceramics",),
        language="de",
    ),
    Person(
        "carlos-ortega",
        "Carlos Ortega",
        "Valencia",
        "ES",
        "Europe/Madrid",
        "EUR",
        ("Spanish", "Catalan", "English"),
        ("leatherwork", "saddle stitching", "bag making"),
        "Leatherworker. Vegetable-tanned **leather bags** and wallets, saddle-stitched "
        "by hand, built to be repaired rather than replaced.",
        (MAKERS,),
        ("bags",),
        language="es",
    ),
    Person(
        "emma-johansson",
        "Emma Johansson",
        "Malmö",
        "SE",
        "Europe/Stockholm",
        "EUR",
        ("Swedish", "English"),
        ("silversmithing", "jewellery", "engraving"),
        "Silversmith. Simple **sterling silver jewellery** — name necklaces, stacking "
        "rings, engraved keepsakes — made from recycled metal.",
        (MAKERS,),
        ("jewellery",),
    ),
    Person(
        "leilani-kahale",
        "Leilani Kahale",
        "Honolulu",
        "US",
        "Pacific/Honolulu",
        "USD",
        ("English", "Hawaiian"),
        ("jewellery", "resin", "pressed flowers"),
        "I press flowers from my garden and set them in resin **pendants** and "
        "earrings. Each one is different.",
        (MAKERS,),
        ("jewellery",),
    ),
    Person(
        "finn-obrien",
        "Finn O'Brien",
        "Galway",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("English", "Irish"),
        ("green woodworking", "spoon carving", "teaching"),
        "Green woodworker. I carve **spoons and bowls** from fallen cherry and teach "
        "carving on Saturday mornings.",
        (MAKERS, RIVERSIDE),
        ("woodwork", "tools"),
    ),
    Person(
        "chloe-martin",
        "Chloé Martin",
        "Bordeaux",
        "FR",
        "Europe/Paris",
        "EUR",
        ("French", "English"),
        ("sewing", "canvas bags", "embroidery"),
        "I sew **canvas and linen bags** in a tiny atelier, with embroidered details "
        "on request.",
        (MAKERS,),
        ("bags",),
        language="fr",
    ),
    Person(
        "sam-taylor",
        "Sam Taylor",
        "Manchester",
        "GB",
        "Europe/London",
        "GBP",
        ("English",),
        ("ceramics", "hand building", "teaching"),
        "Hand-built **ceramics** and pottery lessons in a shared studio in Ancoats. "
        "Planters, bowls and the odd wonky mug.",
        (MAKERS,),
        ("ceramics",),
    ),
    Person(
        "nadia-haddad",
        "Nadia Haddad",
        "Montréal",
        "CA",
        "America/Toronto",
        "USD",
        ("French", "English", "Arabic"),
        ("knitting", "colourwork", "pattern design"),
        "**Knitwear** designer. Fair Isle colourwork, warm hats for Montréal winters, "
        "and patterns I swap with other knitters.",
        (MAKERS,),
        ("knitwear",),
    ),
    Person(
        "ines-costa",
        "Inês Costa",
        "Lisbon",
        "PT",
        "Europe/Lisbon",
        "EUR",
        ("Portuguese", "English"),
        ("ceramics", "azulejo painting", "jewellery"),
        "Ceramicist painting tiles in the Lisbon tradition, and making small "
        "**ceramic jewellery** from the offcuts.",
        (MAKERS,),
        ("ceramics", "jewellery"),
    ),
    Person(
        "wanjiru-kamau",
        "Wanjiru Kamau",
        "Nairobi",
        "KE",
        "Africa/Nairobi",
        "USD",
        ("English", "Swahili", "Kikuyu"),
        ("beadwork", "jewellery", "bag making"),
        "Beadwork artist. Bright glass-bead **jewellery** and bags, made with a "
        "women's cooperative in Nairobi.",
        (MAKERS,),
        ("jewellery", "bags"),
    ),
    # --- Riverside Share ----------------------------------------------------------
    Person(
        "siobhan-kelly",
        "Siobhán Kelly",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("English", "Irish"),
        ("community organising", "gardening", "time banking"),
        "Host of **Riverside Share**. Our street has a hundred drills and uses each "
        "one for thirteen minutes. Let's share them.\n\nTime bank coordinator; ask me "
        "anything.",
        (RIVERSIDE, MAKERS, GUILD),
        ("garden", "skills"),
    ),
    Person(
        "declan-murphy",
        "Declan Murphy",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("English",),
        ("DIY", "carpentry", "tools"),
        "Retired carpenter with a shed full of **tools** and time on his hands. "
        "Borrow the drill, and I'll show you how to use it.",
        (RIVERSIDE,),
        ("tools", "skills"),
    ),
    Person(
        "marta-kowalska",
        "Marta Kowalska",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("Polish", "English"),
        ("sewing", "alterations", "Polish lessons"),
        "Seamstress. I hem, alter and mend, and I teach **Polish** to beginners over "
        "coffee. Two sewing machines, one of them always free.",
        (RIVERSIDE, MAKERS),
        ("home", "skills", "bags"),
    ),
    Person(
        "joao-pereira",
        "João Pereira",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("Portuguese", "English"),
        ("bike repair", "cycling", "mechanics"),
        "Bike mechanic by trade. Bring me your squeaky brakes; pay me in **time "
        "credits**. I also rent out a cargo bike for moving day.",
        (RIVERSIDE,),
        ("outdoor", "skills"),
        language="pt-br",
    ),
    Person(
        "fatima-benali",
        "Fatima Benali",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("Arabic", "French", "English"),
        ("gardening", "seed saving", "cooking"),
        "Allotment gardener and seed saver. Every spring my windowsill overflows with "
        "**seedlings** — come and take some.",
        (RIVERSIDE,),
        ("garden", "skills"),
    ),
    Person(
        "liam-doyle",
        "Liam Doyle",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("English",),
        ("photography", "film cameras", "video"),
        "Photographer with more **cameras** than sense. Rent one for the weekend, or "
        "join me for a photo walk along the canal.",
        (RIVERSIDE,),
        ("tech", "skills"),
    ),
    Person(
        "greta-vogel",
        "Greta Vogel",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("German", "English"),
        ("maths tutoring", "physics", "German lessons"),
        "Physics teacher on a career break. **Maths and physics tutoring** for "
        "secondary school students, paid in hours, not euros.",
        (RIVERSIDE,),
        ("skills", "books"),
    ),
    Person(
        "ciaran-walsh",
        "Ciarán Walsh",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("English", "Irish"),
        ("camping", "hiking", "kayaking"),
        "Hillwalker and weekend kayaker. My **camping gear** spends most of the year in "
        "the attic; it would rather be in Wicklow with you.",
        (RIVERSIDE,),
        ("outdoor", "tools"),
    ),
    Person(
        "mei-chen",
        "Mei Chen",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("Mandarin", "English"),
        ("zines", "comics", "book swaps"),
        "Librarian by day, zine maker by night. I run the Riverside **book swap** "
        "shelf and draw comic covers for friends.",
        (RIVERSIDE, GUILD),
        ("books", "book-covers"),
        ("ink", "digital"),
        "open",
        1,
    ),
    Person(
        "patrick-nolan",
        "Patrick Nolan",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("English",),
        ("home repairs", "painting and decorating"),
        "Painter and decorator. Ladders, pressure washer, carpet cleaner: if it's big "
        "and you need it once a year, I probably have it.",
        (RIVERSIDE,),
        ("tools", "home"),
    ),
    Person(
        "olu-adeyemi",
        "Olúwaseun Adeyemi",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("English", "Yoruba"),
        ("IT support", "electronics", "sound systems"),
        "Software engineer who fixes everyone's laptop anyway. **Computer help** for "
        "time credits, and a PA speaker for your party.",
        (RIVERSIDE,),
        ("tech", "skills"),
    ),
    Person(
        "rosa-garcia",
        "Rosa García",
        "Dublin",
        "IE",
        "Europe/Dublin",
        "EUR",
        ("Spanish", "English", "Catalan"),
        ("cooking", "Spanish lessons", "baking"),
        "From Valencia, living by the Liffey. **Spanish conversation** and paella "
        "lessons for time credits; my bread maker is yours to borrow.",
        (RIVERSIDE,),
        ("home", "skills", "books"),
    ),
)

HOSTS = {
    GUILD: "isla-mackenzie",
    MAKERS: "tomasz-nowak",
    RIVERSIDE: "siobhan-kelly",
}
MODERATORS = {GUILD: "oliver-brooks", RIVERSIDE: "declan-murphy"}
