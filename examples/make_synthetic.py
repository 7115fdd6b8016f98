"""Write the synthetic example surveys in examples/oppdal and examples/rissa.

The data are invented. Nobody in them exists: people are roles with ids (O01..O29, R01..R29), and every
answer was written by hand for this example, in the style of real answers (short, informal, fragments,
compounds, negations, the odd typo). The published figures of the domain brief are reproduced on purpose:

- Oppdal: 29 people, 23 respondents (79 %), 53 functions (the Oppdal column of the brief), coordination
  rating mean 2.7 with «Vet ikke» left out, 10 of 23 with political contact (mostly giving information), and a
  weakly integrated network: small same-function clusters, several people without weekly contact, better
  integrated at the monthly level.
- Rissa: 29 people, 24 respondents (83 %), 44 functions, rating mean 4.0, a dense and integrated network with
  a housing coordinator and a weekly interdisciplinary team.

The only randomness is which side of a contact reports it and how often (and Rissa's extra monthly ties); it
comes from ``random.Random(SEED)``, so running the script again writes the same files byte for byte.

    python examples/make_synthetic.py            # writes examples/oppdal/*.csv and examples/rissa/*.csv
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

from coder.network import TYPE_LABELS
from coder.survey import FREQUENCY_LABELS, LEVELS

SEED = 2026
HERE = Path(__file__).resolve().parent

QUESTIONS = {
    "styrker": "Ut fra ditt ståsted, hva opplever du som de to viktigste styrkene i det boligsosiale "
    "arbeidet i din kommune?",
    "utfordringer": "Ut fra ditt ståsted, hva opplever du som de to største utfordringene i det boligsosiale "
    "arbeidet i din kommune?",
    "samordning": "Hva er de to største utfordringene knyttet til samordning?",
    "ansvarsavklaring": "Hva er de to største utfordringene knyttet til ansvarsavklaring?",
    "motepunkter": "Hvorfor er du enig eller uenig i at «Min kommune har gode formelle møtepunkter for "
    "diskusjon av boligsosiale spørsmål»?",
}
RATING = "Hvor godt mener du at samordningen av det boligsosiale arbeidet fungerer i din kommune?"
RATING_LABELS = {1: "1 - Svært dårlig", 6: "6 - Svært godt"}
FREQ_NO = FREQUENCY_LABELS  # the words the manifests read back
# Short names for the political contact types in the tables below, in the order of coder.network.TYPE_LABELS.
TYPE_NO = dict(zip(("gi", "fa", "pol", "fag"), TYPE_LABELS.values(), strict=True))

# ---------------------------------------------------------------------------------------------------------
# Oppdal: weakly integrated
# ---------------------------------------------------------------------------------------------------------
# id: (role, functions (primary first), responded)
OPPDAL_PEOPLE = {
    "O01": ("NAV-leder", "Øk. virkemidler;Tildeling;Boligsosial plan", True),
    "O02": ("NAV-veileder A", "Øk. virkemidler", True),
    "O03": ("NAV-veileder B", "Øk. virkemidler;Tjenester", True),
    "O04": ("Saksbehandler startlån og bostøtte", "Øk. virkemidler;Tildeling", True),
    "O05": ("Økonomikonsulent", "Øk. virkemidler", True),
    "O06": ("Gjeldsrådgiver", "Øk. virkemidler", False),
    "O07": ("Flyktningkonsulent", "Øk. virkemidler;Tjenester;Tildeling", True),
    "O08": ("Sosialkonsulent", "Øk. virkemidler", True),
    "O09": ("Leder hjemmetjenesten", "Tjenester;Tildeling", True),
    "O10": ("Leder psykisk helse og rus", "Tjenester;Øk. virkemidler", True),
    "O11": ("Miljøarbeider rus", "Tjenester", True),
    "O12": ("Boveileder", "Tjenester;Husleiekontrakt", True),
    "O13": ("Kommunalsjef helse og omsorg", "Tjenester;Boligsosial plan;Tildeling", True),
    "O14": ("Saksbehandler forvaltningskontoret", "Tildeling;Øk. virkemidler", True),
    "O15": ("Ergoterapeut", "Tjenester", True),
    "O16": ("Eiendomssjef", "Drift;Utbygging;Skaffe bolig;Husleiekontrakt", True),
    "O17": ("Driftsleder bygg", "Drift", False),
    "O18": ("Prosjektleder bygg", "Utbygging;Skaffe bolig", True),
    "O19": ("Boligkonsulent", "Tildeling;Øk. virkemidler;Skaffe bolig", True),
    "O20": ("Plansjef", "Arealplan;Samfunnsplan", True),
    "O21": ("Arealplanlegger", "Arealplan", False),
    "O22": ("Samfunnsplanlegger", "Samfunnsplan;Boligsosial plan;Arealplan", True),
    "O23": ("Kommunedirektør", "Samfunnsplan;Boligsosial plan", True),
    "O24": ("Økonomisjef", "Øk. virkemidler;Samfunnsplan", True),
    "O25": ("Ordfører", "Politisk folkevalgt", True),
    "O26": ("Folkevalgt, hovedutvalg helse og omsorg", "Politisk folkevalgt", False),
    "O27": ("Folkevalgt, formannskapet", "Politisk folkevalgt", False),
    "O28": ("Barnevernleder", "Tjenester", False),
    "O29": ("Rådgiver rus og psykisk helse", "Tjenester;Boligsosial plan", True),
}

# Contacts as the researchers would draw them (undirected, most frequent level). Small clusters by function
# at the daily and weekly level; the links between clusters are monthly and go through a few people.
OPPDAL_TIES = """
O02 O03 daily; O09 O15 daily; O16 O17 daily; O11 O12 daily
O01 O02 weekly; O01 O03 weekly; O01 O08 weekly; O02 O08 weekly; O03 O06 weekly
O04 O05 weekly; O05 O24 weekly
O09 O11 weekly; O09 O12 weekly; O10 O11 weekly; O10 O29 weekly; O13 O09 weekly
O16 O18 weekly; O20 O21 weekly; O20 O22 weekly; O14 O19 weekly
O01 O14 monthly; O01 O04 monthly; O07 O01 monthly; O07 O19 monthly; O14 O09 monthly; O19 O16 monthly
O12 O19 monthly; O13 O23 monthly; O23 O20 monthly; O23 O24 monthly; O23 O25 monthly; O25 O26 monthly
O28 O10 monthly; O15 O18 monthly; O06 O08 monthly; O02 O14 monthly; O03 O10 monthly; O08 O07 monthly
O18 O19 monthly; O16 O14 monthly; O12 O16 monthly; O29 O13 monthly; O11 O03 monthly; O04 O19 monthly
O15 O14 monthly; O24 O01 monthly; O22 O23 monthly
"""

# Coordination rating per respondent: 1..6 or "Vet ikke"; 20 values with mean 2.7, three «Vet ikke».
OPPDAL_RATINGS = {
    "O01": 2, "O02": 3, "O03": 2, "O04": 3, "O05": "Vet ikke", "O07": 2, "O08": 3, "O09": 2, "O10": 1,
    "O11": 3, "O12": 3, "O13": 3, "O14": 4, "O15": 4, "O16": 2, "O18": "Vet ikke", "O19": 2, "O20": 3,
    "O22": 2, "O23": 4, "O24": 3, "O25": 3, "O29": "Vet ikke",
}  # fmt: skip

# (respondent, body, type): 10 respondents, mostly giving information.
OPPDAL_POLITICAL = """
O01 formannskap gi; O13 kommunestyre gi; O13 hovedutvalg helse og omsorg fag; O23 formannskap gi
O23 ordfører pol; O23 ordfører fa; O24 formannskap gi; O16 formannskap gi; O20 kommunestyre gi
O22 kommunestyre gi; O25 kommunestyre pol; O25 formannskap pol; O09 ordfører fa; O10 kommunestyre gi
O10 hovedutvalg helse og omsorg gi
"""

OPPDAL_ANSWERS = {
    "O01": {
        "styrker": "Godt samarbeid med Husbanken, startlån og bostøtte brukes aktivt. Liten kommune, kort "
        "vei til de andre.",
        "utfordringer": "For få kommunale boliger som passer for rusavhengige. Ingen tar tak i helheten",
        "samordning": "har ingen arena for dette. info går tilfeldig mellom NAV og helse",
        "ansvarsavklaring": "uklart hvem som eier boligsosial plan. ansvarsfraskrivelse mellom etatene",
        "motepunkter": "Uenig. vi møtes bare når det brenner",
    },
    "O02": {
        "styrker": "startlån og tilskudd, vi kjenner virkemidlene godt",
        "utfordringer": "mangler egnede boliger, særlig for enslige. husleierestanser som ikke fanges opp "
        "tidlig",
    },
    "O03": {
        "styrker": "kort vei til hverandre, alle kjenner alle",
        "utfordringer": "oppfølging i bolig, ingen bo-oppfølging etter kl 15. dårlig standard på noen "
        "komunale boliger",
        "samordning": "vanskelig å få tak i helse. vi sitter på hver vår tue",
    },
    "O04": {
        "styrker": "Startlånordningen fungerer bra, gode rutiner mot Husbanken",
        "utfordringer": "Mangler helhetlig plan. Politikerne er lite opptatt av boligsosialt arbeid",
        "ansvarsavklaring": "Hvem har ansvar for innkreving av husleie og depositum?",
    },
    "O05": {
        "utfordringer": "innkreving av restanser, depositumsgarantier som ikke blir fulgt opp",
    },
    "O07": {
        "styrker": "gode folk som vil mye, engasjement",
        "utfordringer": "bosetting av flyktninger, det finnes ikke nok små leiligheter. Mange må bo på hybel "
        "lenge",
        "samordning": "flyktningetjenesten får ikke info om ledige boliger før det er for sent",
        "motepunkter": "Det finnes ikke noe fast forum. jeg vet ikke hvem jeg skal ringe",
    },
    "O08": {
        "styrker": "Nav har god oversikt over de økonomiske virkemidlene",
        "utfordringer": "for lite boliger, ventelister",
        "ansvarsavklaring": "ingen vet hvem som skal gjøre hva når noen står uten bolig",
    },
    "O09": {
        "styrker": "Hjemmetjenesten kommer raskt inn. Tett på brukerne",
        "utfordringer": "omsorgsboliger blir brukt til folk som ikke hører hjemme der. blanding av rus og "
        "eldre i samme bygg",
        "samordning": "Tildelingen skjer uten at vi blir spurt. Manglende informasjonsflyt",
        "ansvarsavklaring": "uklart ansvar for oppfølging i bolig",
        "motepunkter": "Enig i at vi har tildelingsmøter, men de handler bare om enkeltsaker",
    },
    "O10": {
        "styrker": "små forhold, lett å ta en telefon",
        "utfordringer": "boliger tilpasset rus og psykiatri mangler helt. folk blir kastet ut og havner hos "
        "oss igjen",
        "samordning": "Mangler felles mål. Hver enhet jobber for seg",
        "ansvarsavklaring": "ansvarspulverisering, alle peker på hverandre",
        "motepunkter": "nei. ingen faste møter på tvers",
    },
    "O11": {
        "utfordringer": "oppfølging av beboere, få ressurser til boveiledning",
    },
    "O12": {
        "styrker": "vi kjenner beboerne godt og følger dem tett",
        "utfordringer": "vedlikehold av boligene er dårlig. Manglende botrening før folk flytter inn",
        "samordning": "kommunikasjon med drift tar lang tid",
    },
    "O13": {
        "styrker": "Kommunen er oversiktlig og vi har korte beslutningsveier",
        "utfordringer": "Ingen boligsosial handlingsplan, svak politisk forankring. Budsjettet strekker ikke "
        "til",
        "samordning": "Samordningen er personavhengig, ikke systemavhengig",
        "ansvarsavklaring": "Det er ikke avklart hvem som koordinerer. ingen eier helheten",
        "motepunkter": "Delvis enig - vi har ledermøter, men boligsosiale spørsmål kommer sjelden på "
        "agendaen",
    },
    "O14": {
        "styrker": "Tildelingsmøtene fungerer greit",
        "utfordringer": "for få boliger, lange ventelister. noen boliger står tomme pga dårlig stand",
        "samordning": "vanskelig å få oversikt over hvilke boliger som er ledige",
    },
    "O15": {
        "styrker": "Tilrettelegging og hjelpemidler kommer raskt på plass",
    },
    "O16": {
        "styrker": "Vi har en del kommunale utleieboliger i sentrum",
        "utfordringer": "Vedlikeholdsetterslep. Beboere som ødelegger boligen og ingen følger opp",
        "samordning": "vi får beskjed om innflytting dagen før",
        "ansvarsavklaring": "hvem betaler for skader? uklart mellom drift og helse",
    },
    "O18": {
        "utfordringer": "Politisk vilje til å bygge mangler, ingen penger i budsjett",
    },
    "O19": {
        "styrker": "god kontakt med Husbanken og private utleiere",
        "utfordringer": "mangel på egnede boliger for vanskeligstilte. utleiemarkedet er stramt pga "
        "hytteturisme",
        "samordning": "jeg sitter ofte med alt alene. ingen overordnet koordinering",
        "ansvarsavklaring": "ikke klart hvem som skal følge opp leietakere med husleierestanse",
        "motepunkter": "Uenig, det finnes ikke et boligsosialt forum",
    },
    "O20": {
        "styrker": "kommuneplanens samfunnsdel nevner boligpolitikk",
        "utfordringer": "boligsosiale hensyn kommer ikke inn i arealplanleggingen",
        "samordning": "plan og helse snakker for lite sammen",
    },
    "O22": {
        "styrker": "Liten kommune, alle vet hvem de skal spørre",
        "utfordringer": "Boligsosial plan er utdatert (2012). Mangler strategi og forankring",
        "ansvarsavklaring": "Ingen har fått ansvar for å rullere planen",
        "motepunkter": "Uenig. Det var et boligsosialt team en periode men det ble lagt ned",
    },
    "O23": {
        "styrker": "Dyktige fagfolk og kort avstand mellom ledelse og tjenester",
        "utfordringer": "Økonomi. Manglende helhetstenkning",
        "ansvarsavklaring": "Bør avklares i ny plan",
    },
    "O24": {
        "styrker": "Bostøtte og startlån når mange",
        "utfordringer": "tap på depositum og husleie, innfordringsrutiner mangler",
    },
    "O25": {
        "styrker": "Små forhold og engasjerte ansatte",
    },
    "O29": {
        "utfordringer": "Bolig først er ikke på plass. mangler oppfølging av de tyngste",
        "samordning": "ingen felles forståelse av hva boligsosialt arbeid er",
        "motepunkter": "vet ikke om det finnes noe",
    },
}

# ---------------------------------------------------------------------------------------------------------
# Rissa: dense and integrated
# ---------------------------------------------------------------------------------------------------------
RISSA_PEOPLE = {
    "R01": ("Boligkoordinator", "Tildeling;Skaffe bolig;Boligsosial plan;Husleiekontrakt", True),
    "R02": ("NAV-leder", "Øk. virkemidler;Tildeling", True),
    "R03": ("NAV-veileder", "Øk. virkemidler", True),
    "R04": ("Saksbehandler startlån og bostøtte", "Øk. virkemidler", True),
    "R05": ("Leder hjemmetjenester", "Tjenester;Tildeling", True),
    "R06": ("Hjemmesykepleier", "Tjenester", True),
    "R07": ("Miljøterapeut psykisk helse", "Tjenester", True),
    "R08": ("Ruskonsulent", "Tjenester", True),
    "R09": ("Boveileder", "Tjenester;Husleiekontrakt", True),
    "R10": ("Leder psykisk helse og rus", "Tjenester;Tildeling", True),
    "R11": ("Leder flyktningtjenesten", "Tjenester;Tildeling", True),
    "R12": ("Miljøarbeider bofellesskap", "Tjenester", False),
    "R13": ("Avdelingsleder bofellesskap", "Tjenester", True),
    "R14": ("Ergoterapeut", "Tjenester", True),
    "R15": ("Saksbehandler tjenestekontoret", "Tildeling", True),
    "R16": ("Helsesykepleier", "Tjenester", False),
    "R17": ("Kommunalsjef helse og velferd", "Tjenester;Boligsosial plan;Tildeling", True),
    "R18": ("Eiendomssjef", "Drift;Utbygging;Skaffe bolig", True),
    "R19": ("Driftsoperatør", "Drift", False),
    "R20": ("Byggprosjektleder", "Utbygging;Skaffe bolig", True),
    "R21": ("Rådgiver eiendom", "Skaffe bolig", True),
    "R22": ("Plansjef", "Arealplan;Samfunnsplan", True),
    "R23": ("Arealplanlegger", "Arealplan", False),
    "R24": ("Samfunnsplanlegger", "Samfunnsplan;Boligsosial plan", True),
    "R25": ("Rådmann", "Samfunnsplan", True),
    "R26": ("Kommunalsjef teknisk", "Samfunnsplan", True),
    "R27": ("Ordfører", "Politisk folkevalgt", True),
    "R28": ("Leder helse- og velferdsutvalget", "Politisk folkevalgt", False),
    "R29": ("Leder barnevern", "Tjenester", True),
}

# The weekly boligsosialt team meets as a whole; units talk daily inside; the coordinator talks to most.
RISSA_TEAM = ["R01", "R02", "R05", "R10", "R11", "R15", "R17", "R18", "R24"]
RISSA_UNITS = [
    ["R02", "R03", "R04"],
    ["R05", "R06", "R14", "R16"],
    ["R07", "R08", "R10", "R09"],
    ["R12", "R13", "R09"],
    ["R18", "R19", "R20", "R21"],
    ["R22", "R23", "R24", "R26"],
]
RISSA_TIES = """
R01 R03 weekly; R01 R04 weekly; R01 R07 weekly; R01 R08 weekly; R01 R09 weekly; R01 R13 weekly
R01 R20 weekly; R01 R21 weekly; R01 R29 weekly; R01 R25 weekly; R01 R14 weekly; R01 R15 daily
R11 R03 weekly; R29 R10 weekly; R29 R03 weekly; R25 R17 weekly; R25 R26 weekly; R27 R25 weekly
R27 R17 monthly; R28 R17 monthly; R28 R27 weekly; R22 R01 monthly; R23 R20 monthly; R26 R18 weekly
R12 R10 weekly; R16 R29 monthly; R19 R09 monthly; R04 R21 monthly; R13 R17 weekly
"""

RISSA_RATINGS = {
    "R01": 5, "R02": 4, "R03": 4, "R04": 4, "R05": 4, "R06": 5, "R07": 4, "R08": 3, "R09": 4, "R10": 5,
    "R11": 4, "R13": 3, "R14": "Vet ikke", "R15": 4, "R17": 5, "R18": 4, "R20": 3, "R21": 4, "R22": 3,
    "R24": 4, "R25": 5, "R26": 3, "R27": 4, "R29": "Vet ikke",
}  # fmt: skip

RISSA_POLITICAL = """
R01 formannskap gi; R01 hovedutvalg helse og velferd fag; R02 formannskap gi; R17 kommunestyre gi
R17 hovedutvalg helse og velferd fag; R17 ordfører pol; R25 formannskap pol; R25 ordfører fag
R27 formannskap pol; R27 kommunestyre pol; R24 kommunestyre gi; R24 formannskap fag; R22 kommunestyre gi
R18 formannskap gi; R10 hovedutvalg helse og velferd fag; R11 kommunestyre gi
R05 hovedutvalg helse og velferd fa; R26 formannskap gi; R26 formannskap fag
R20 kommunestyre fa; R04 formannskap fa
"""

RISSA_ANSWERS = {
    "R01": {
        "styrker": "Boligkoordinator i 100% stilling som har oversikten. Boligsosialt team som møtes hver "
        "uke",
        "utfordringer": "For få boliger til personer med rus og psykiske lidelser. Gjennomstrømning i "
        "kommunale boliger",
        "samordning": "tidkrevende å holde alle oppdatert",
        "ansvarsavklaring": "Stort sett avklart, men grensesnitt mot drift kan bli bedre",
        "motepunkter": "Enig. Fast team med mandat, tildelingsmøte annenhver uke",
    },
    "R02": {
        "styrker": "God samhandling med koordinator og helse. Vi bruker startlån aktivt sammen med Husbanken",
        "utfordringer": "Mange i midlertidig bolig for lenge",
        "motepunkter": "Enig, vi har faste møtepunkter",
    },
    "R03": {
        "styrker": "kort vei, alle kjenner alle",
        "utfordringer": "unge som faller ut av skole og trenger bolig, lite oppfølging",
    },
    "R04": {
        "styrker": "startlån til de som leier kommunalt, flere har kjøpt egen bolig",
        "utfordringer": "Husbankmidler er begrenset. innkreving av restanser",
    },
    "R05": {
        "styrker": "vi møtes jevnlig og har felles mål",
        "utfordringer": "demente som bor alene i dårlig tilpassede boliger",
        "samordning": "ok, men avhengig av koordinatoren",
    },
    "R06": {
        "styrker": "Godt samarbeid på tvers",
    },
    "R07": {
        "styrker": "Tett oppfølging av beboere med psykiske lidelser, bo-oppfølging i hjemmet",
        "utfordringer": "Boliger i samme bygg for rus og barnefamilier, uheldig blanding",
        "samordning": "Informasjonen flyter bra",
    },
    "R08": {
        "styrker": "Bolig først tenkning er forankret",
        "utfordringer": "mangler lavterskel botilbud. Noen blir kastet ut pga husleierestanser",
        "ansvarsavklaring": "hvem har ansvar på kveldstid og i helger",
    },
    "R09": {
        "styrker": "botrening og oppfølging fungerer",
        "utfordringer": "Vedlikehold og standard på eldre boliger",
        "motepunkter": "enig, boligteamet",
    },
    "R10": {
        "styrker": "Felles forståelse, politikerne har vedtatt boligsosial handlingsplan",
        "utfordringer": "Økonomien i kommunen, kutt i tjenestene",
        "samordning": "Noen ganger for mange møter ;)",
        "ansvarsavklaring": "Avklart gjennom planen",
        "motepunkter": "Enig: faste møter med mandat og referat",
    },
    "R11": {
        "styrker": "Bosetting går greit, vi får boliger når vi trenger det",
        "utfordringer": "Store familier, få store leiligheter",
        "samordning": "tett samarbeid med koordinator",
    },
    "R13": {
        "styrker": "engasjerte ansatte",
        "utfordringer": "Bemanning i bofellesskapene",
    },
    "R14": {
        "utfordringer": "tilpasning av boliger for rullestolbrukere tar tid",
    },
    "R15": {
        "styrker": "tildelingsmøtene har klare kriterier",
        "utfordringer": "ventelister for omsorgsboliger",
        "ansvarsavklaring": "noe uklart ansvar ved utkastelser",
    },
    "R17": {
        "styrker": "Politisk og administrativ forankring. Boligsosial handlingsplan med tiltak og budsjett",
        "utfordringer": "Å holde trykket oppe over tid. omløp i kommunale boliger",
        "samordning": "Vi har et godt system, men det er sårbart om nøkkelpersoner slutter",
        "ansvarsavklaring": "Avklart i plan og delegering",
        "motepunkter": "Enig. Boligsosialt team er formalisert",
    },
    "R18": {
        "styrker": "Drift er med i teamet fra start",
        "utfordringer": "Vedlikeholdsbudsjett, slitasje",
    },
    "R20": {
        "utfordringer": "Tomter og finansiering av nye utleieboliger",
    },
    "R21": {
        "styrker": "God dialog med Husbanken om tilskudd",
    },
    "R22": {
        "styrker": "Boligpolitikk er med i kommuneplanen",
        "utfordringer": "Boligsosiale hensyn i reguleringsplaner",
        "samordning": "plan er litt på siden av det daglige arbeidet",
    },
    "R24": {
        "styrker": "oversiktlig kommune, korte avstander",
        "utfordringer": "få utleieboliger på det private markedet",
        "motepunkter": "Enig",
    },
    "R25": {
        "styrker": "tydelig ansvar hos boligkoordinator, god forankring",
        "utfordringer": "økonomi",
    },
    "R26": {
        "utfordringer": "skape fokus på forebygging",
    },
    "R27": {
        "styrker": "Politikerne får jevnlig orientering",
        "utfordringer": "Flere boliger for vanskeligstilte",
    },
    "R29": {
        "styrker": "samarbeid rundt barnefamilier",
        "utfordringer": "Barnefamilier i dårlige boliger",
        "motepunkter": "Vet ikke, er ikke med i teamet",
    },
}


# ---------------------------------------------------------------------------------------------------------
# Reference codes: every answer above coded by hand against codebooks/boligsosialt.yaml (version 1.0), so
# `coder link` has something to read before any suggester runs, and suggesters something to be compared with.
# A dash means: coded, carries no code of the codebook.
# ---------------------------------------------------------------------------------------------------------
REFERENCE_CODES = """
O01:styrker financial_instruments;local_knowledge
O01:utfordringer adapted_housing;fragmented_responsibility
O01:samordning meeting_places;coordination
O01:ansvarsavklaring fragmented_responsibility
O01:motepunkter meeting_places
O02:styrker financial_instruments
O02:utfordringer adapted_housing;follow_up
O03:styrker local_knowledge
O03:utfordringer follow_up;adapted_housing
O03:samordning coordination
O04:styrker financial_instruments
O04:utfordringer anchoring
O04:ansvarsavklaring fragmented_responsibility;financial_instruments
O05:utfordringer financial_instruments
O07:styrker -
O07:utfordringer adapted_housing
O07:samordning coordination
O07:motepunkter meeting_places
O08:styrker financial_instruments
O08:utfordringer adapted_housing
O08:ansvarsavklaring fragmented_responsibility
O09:styrker follow_up
O09:utfordringer adapted_housing
O09:samordning coordination
O09:ansvarsavklaring fragmented_responsibility;follow_up
O09:motepunkter meeting_places
O10:styrker local_knowledge
O10:utfordringer adapted_housing;follow_up
O10:samordning coordination
O10:ansvarsavklaring fragmented_responsibility
O10:motepunkter meeting_places
O11:utfordringer follow_up
O12:styrker follow_up
O12:utfordringer adapted_housing;follow_up
O12:samordning coordination
O13:styrker local_knowledge
O13:utfordringer anchoring
O13:samordning coordination
O13:ansvarsavklaring fragmented_responsibility
O13:motepunkter meeting_places
O14:styrker meeting_places
O14:utfordringer adapted_housing
O14:samordning coordination
O15:styrker adapted_housing
O16:styrker adapted_housing
O16:utfordringer adapted_housing;follow_up
O16:samordning coordination
O16:ansvarsavklaring fragmented_responsibility
O18:utfordringer anchoring
O19:styrker financial_instruments
O19:utfordringer adapted_housing
O19:samordning coordination
O19:ansvarsavklaring fragmented_responsibility;follow_up
O19:motepunkter meeting_places
O20:styrker anchoring
O20:utfordringer anchoring
O20:samordning coordination
O22:styrker local_knowledge
O22:utfordringer anchoring
O22:ansvarsavklaring fragmented_responsibility;anchoring
O22:motepunkter meeting_places
O23:styrker local_knowledge
O23:utfordringer anchoring;coordination
O23:ansvarsavklaring fragmented_responsibility
O24:styrker financial_instruments
O24:utfordringer financial_instruments
O25:styrker local_knowledge
O29:utfordringer follow_up;adapted_housing
O29:samordning anchoring
O29:motepunkter meeting_places
R01:styrker coordination;meeting_places
R01:utfordringer adapted_housing
R01:samordning coordination
R01:ansvarsavklaring fragmented_responsibility
R01:motepunkter meeting_places
R02:styrker coordination;financial_instruments
R02:utfordringer adapted_housing
R02:motepunkter meeting_places
R03:styrker local_knowledge
R03:utfordringer follow_up
R04:styrker financial_instruments
R04:utfordringer financial_instruments
R05:styrker meeting_places;coordination
R05:utfordringer adapted_housing
R05:samordning coordination
R06:styrker coordination
R07:styrker follow_up
R07:utfordringer adapted_housing
R07:samordning coordination
R08:styrker anchoring
R08:utfordringer adapted_housing;follow_up
R08:ansvarsavklaring fragmented_responsibility
R09:styrker follow_up
R09:utfordringer adapted_housing
R09:motepunkter meeting_places
R10:styrker anchoring
R10:utfordringer anchoring
R10:samordning meeting_places
R10:ansvarsavklaring fragmented_responsibility;anchoring
R10:motepunkter meeting_places
R11:styrker adapted_housing
R11:utfordringer adapted_housing
R11:samordning coordination
R13:styrker -
R13:utfordringer follow_up
R14:utfordringer adapted_housing
R15:styrker meeting_places
R15:utfordringer adapted_housing
R15:ansvarsavklaring fragmented_responsibility
R17:styrker anchoring
R17:utfordringer anchoring;adapted_housing
R17:samordning coordination
R17:ansvarsavklaring fragmented_responsibility;anchoring
R17:motepunkter meeting_places
R18:styrker coordination
R18:utfordringer adapted_housing
R20:utfordringer adapted_housing;financial_instruments
R21:styrker financial_instruments
R22:styrker anchoring
R22:utfordringer anchoring
R22:samordning coordination
R24:styrker local_knowledge
R24:utfordringer adapted_housing
R24:motepunkter meeting_places
R25:styrker fragmented_responsibility;anchoring
R25:utfordringer anchoring
R26:utfordringer anchoring
R27:styrker anchoring
R27:utfordringer adapted_housing
R29:styrker coordination
R29:utfordringer adapted_housing
R29:motepunkter meeting_places
"""

# ---------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------


def parse_ties(text: str) -> list[tuple[str, str, str]]:
    return [tuple(item.split()) for item in text.replace("\n", ";").split(";") if item.strip()]  # type: ignore


def parse_political(text: str) -> list[tuple[str, str, str]]:
    rows = []
    for item in text.replace("\n", ";").split(";"):
        words = item.split()
        if words:
            rows.append((words[0], " ".join(words[1:-1]), TYPE_NO[words[-1]]))
    return rows


def reports(ties: list[tuple[str, str, str]], people: dict, rng: random.Random) -> list[tuple[str, str, str]]:
    """Directed reports (who says they talk to whom, how often) of undirected ties.

    A respondent reports their side of a tie; when both responded, the second side sometimes says a less
    frequent value (people remember differently) and sometimes forgets the tie.
    """
    out = []
    for a, b, frequency in ties:
        sides = [s for s in (a, b) if people[s][2]]
        assert sides, f"a tie between two non-respondents cannot be observed: {a} {b}"
        for n, (src, dst) in enumerate([(s, b if s == a else a) for s in sides]):
            said = frequency
            if n == 1:
                draw = rng.random()
                if draw < 0.15:
                    continue
                if draw < 0.35 and frequency != "monthly":
                    said = LEVELS[LEVELS.index(frequency) + 1]
            out.append((src, dst, said))
    return sorted(out)


def dense_ties(rng: random.Random) -> list[tuple[str, str, str]]:
    ties: dict[frozenset, str] = {}

    def add(a: str, b: str, frequency: str) -> None:
        key = frozenset((a, b))
        if key not in ties or LEVELS.index(frequency) < LEVELS.index(ties[key]):
            ties[key] = frequency

    for i, a in enumerate(RISSA_TEAM):
        for b in RISSA_TEAM[i + 1 :]:
            add(a, b, "weekly")
    for unit in RISSA_UNITS:
        for i, a in enumerate(unit):
            for b in unit[i + 1 :]:
                add(a, b, "daily")
    for a, b, frequency in parse_ties(RISSA_TIES):
        add(a, b, frequency)
    ids = sorted(RISSA_PEOPLE)
    for i, a in enumerate(ids):  # monthly contacts across the organisation
        for b in ids[i + 1 :]:
            if rng.random() < 0.12 and (RISSA_PEOPLE[a][2] or RISSA_PEOPLE[b][2]):
                add(a, b, "monthly")
    return sorted((*sorted(key), frequency) for key, frequency in ties.items())  # type: ignore


def write_csv(path: Path, header: list[str], rows: list, *, sep: str = ",", encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=sep, lineterminator="\r\n" if encoding == "cp1252" else "\n")
        writer.writerow(header)
        writer.writerows(rows)


def rating_text(value: int | str) -> str:
    return RATING_LABELS.get(value, str(value)) if isinstance(value, int) else value


def export_rows(people: dict, answers: dict, ratings: dict, day: str) -> list[list[str]]:
    rows = []
    for n, pid in enumerate(sorted(p for p in people if people[p][2])):
        given = answers.get(pid, {})
        started = f"{day} {8 + n % 9:02d}:{(7 * n) % 60:02d}"
        rows.append([pid, started, *[given.get(q, "") for q in QUESTIONS], rating_text(ratings[pid])])
    return rows


def write_municipality(
    directory: Path,
    people: dict,
    ties: list,
    ratings: dict,
    political: list,
    answers: dict,
    rng: random.Random,
    *,
    oppdal: bool,
) -> None:
    directory.mkdir(exist_ok=True)
    header = ["Respondent-ID", "Startet", *QUESTIONS.values(), RATING]
    rows = export_rows(people, answers, ratings, "2026-03-02" if oppdal else "2026-04-13")
    if oppdal:  # Questback opened in Norwegian Excel and saved as CSV: `;`-separated, cp1252
        write_csv(directory / "questback_eksport.csv", header, rows, sep=";", encoding="cp1252")
        write_csv(
            directory / "personer.csv",
            ["id", "rolle", "funksjoner"],
            [[pid, role, functions] for pid, (role, functions, _) in people.items()],
        )
        write_csv(
            directory / "kontakter.csv",
            ["fra", "til", "hyppighet"],
            [[a, b, FREQ_NO[f]] for a, b, f in reports(ties, people, rng)],
        )
    else:
        write_csv(directory / "eksport.csv", header, rows)
        write_csv(
            directory / "personer.csv",
            ["id", "rolle", "kommune", "funksjoner", "svart"],
            [[pid, role, "Rissa", fs, "ja" if ok else "nei"] for pid, (role, fs, ok) in people.items()],
        )
        write_csv(directory / "kontakter.csv", ["from", "to", "frequency"], reports(ties, people, rng))
    write_csv(directory / "politisk_kontakt.csv", ["respondent", "organ", "type"], political)
    prefix = "O" if oppdal else "R"
    codes = {}
    for line in REFERENCE_CODES.split("\n"):
        if line.startswith(prefix):
            answer_id, cell = line.split()
            codes[answer_id] = [] if cell == "-" else cell.split(";")
    given = {f"{pid}:{q}" for pid, texts in answers.items() for q, text in texts.items() if text}
    assert set(codes) == given, sorted(set(codes) ^ given)
    rows = [[answer_id, code] for answer_id in sorted(codes) for code in codes[answer_id] or [""]]
    write_csv(directory / "koder.csv", ["id", "code"], rows)


def main(out: Path = HERE) -> None:
    """Write both examples under ``out`` (default: next to this script)."""
    for people, ratings, answers in (
        (OPPDAL_PEOPLE, OPPDAL_RATINGS, OPPDAL_ANSWERS),
        (RISSA_PEOPLE, RISSA_RATINGS, RISSA_ANSWERS),
    ):
        respondents = {p for p in people if people[p][2]}
        assert set(ratings) == respondents and set(answers) <= respondents
    functions = Counter(f for _, fs, _ in OPPDAL_PEOPLE.values() for f in fs.split(";"))
    assert sum(functions.values()) == 53 and functions["Øk. virkemidler"] == 12, functions

    rng = random.Random(SEED)
    write_municipality(
        out / "oppdal",
        OPPDAL_PEOPLE,
        parse_ties(OPPDAL_TIES),
        OPPDAL_RATINGS,
        parse_political(OPPDAL_POLITICAL),
        OPPDAL_ANSWERS,
        rng,
        oppdal=True,
    )
    write_municipality(
        out / "rissa",
        RISSA_PEOPLE,
        dense_ties(rng),
        RISSA_RATINGS,
        parse_political(RISSA_POLITICAL),
        RISSA_ANSWERS,
        rng,
        oppdal=False,
    )


if __name__ == "__main__":
    main()
