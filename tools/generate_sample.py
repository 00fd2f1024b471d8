#!/usr/bin/env python3
"""Generate the bundled sample catalogue: creators, briefs and graded labels.

Seeded, so the same seed always gives byte-identical files (tiers and vocabularies come from
:mod:`matcher.schema`):

    python tools/generate_sample.py --out datasets/sample --seed 7

Writes ``creators.jsonl`` (2,400 creators), ``briefs.jsonl`` (8 briefs) and ``labels.csv``
in the formats of FORMATS.md (contract v1), and ``niches.csv`` (each creator's true niche and
secondary niche, for the wrong-niche check). All text is synthetic and written for this
generator; brand names are real, campaigns and creators are invented. See README.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
import sys
import unicodedata
from datetime import date, timedelta
from pathlib import Path

from matcher.schema import AGE_BUCKETS, tier_of

# data tables laid out by hand: not reformatted
# fmt: off

N_CREATORS = 2400
SPANISH_SHARE = 0.10
SUSPICIOUS_SHARE = 0.04
ZEROS_PER_BRIEF = 40
#: "today" of the sample world: the newest post date; competitor conflicts are counted back from it
TODAY = date(2026, 11, 20)
OLDEST = date(2025, 11, 1)

PLATFORMS = ("instagram", "tiktok", "youtube", "twitch", "x")
TONES = ("playful", "expert", "luxury", "calm", "raw", "energetic")
TIER_NORM = {"emerging": 0.124, "nano": 0.124, "micro": 0.078, "macro": 0.032, "mega": 0.017}
TIER_ORDER = ("emerging", "nano", "micro", "macro", "mega")
TIER_BOUNDS = {  # followers [low, high)
    "emerging": (500, 1_000),
    "nano": (1_000, 10_000),
    "micro": (10_000, 100_000),
    "macro": (100_000, 1_000_000),
    "mega": (1_000_000, 45_000_000),
}
TIER_PRICE = {  # USD per sponsored post (low, high), log-scaled with position inside the tier
    "emerging": (20, 150),
    "nano": (50, 500),
    "micro": (100, 5_000),
    "macro": (2_000, 15_000),
    "mega": (10_000, 200_000),
}

# =============================================================================================
# Vocabulary. Brands: (canonical name, handle, spellings seen in posts, products, products in es)
# =============================================================================================

NICHES: dict[str, dict] = {
    "trail_running": {
        "label": "trail running",
        "cats": ["Running", "Sports", "Outdoors", "Trail Running", "Fitness & Outdoors"],
        "cats_es": ["Deportes", "Running", "Montaña"],
        "words": ["trails", "runs", "ultra", "dirtmiles", "vert", "trailruns", "climbs"],
        "bio": [
            "trail runner chasing vert", "ultra runner | mountain miles", "running dirt since 2014",
            "100-mile finisher (once, never again?)", "coach for first-time trail runners",
            "fell running + muddy shoes", "happiest above the treeline",
            "weekday road miles, weekend mountain miles", "trail running, camp coffee, long days out",
            "race reports & honest gear notes", "slow ultrarunner, fast snacker",
        ],
        "topics": [
            "Ran the {place} loop this morning and the climb nearly broke me.",
            "Long run: {dist} with {vert} of climbing, legs are toast.",
            "Race report from {race} is up: {result}.",
            "Fueling on a {dist} day is half the battle, I went with {fuel} every 40 minutes.",
            "Downhill running is a skill, not a gift. Quick feet, eyes three steps ahead.",
            "Mud season is here and my shoes have given up looking clean.",
            "Hiking the steep bits is not cheating, it's strategy.",
            "Night run with a headlamp on the {place} trail, owls everywhere.",
            "Taper week means I'm suddenly very interested in reorganising my gear drawer.",
            "Rolled my ankle on the {place} descent, so this week is rehab and strength work.",
            "Vest packed for {dist}: two soft flasks, rain shell and way too many gummies.",
            "Zone 2 is boring and it works, that's the whole post.",
            "Signed up for {race}. No turning back now.",
            "Sunrise on the ridge after a 4:30 alarm, worth every yawn.",
        ],
        "fills": {
            "place": ["Bear Creek", "ridge", "canyon", "Skyline", "fire road", "Cat Bells", "Mount Tam",
                      "Blue Ridge", "Dipsea", "Pennine Way"],
            "dist": ["12 miles", "30k", "50k", "18 miles", "25k", "20 miles"],
            "vert": ["1,200m", "4,000 ft", "900m", "6,500 ft", "2,100m"],
            "race": ["Lake Sonoma 50", "the Lakeland 100", "Broken Arrow Skyrace", "Zegama", "a local 50k",
                     "Transvulcania"],
            "result": ["PR by 11 minutes", "DNF at mile 31 and at peace with it", "finished in the dark, grinning",
                       "top 20 in my age group", "blisters, tears, zero regrets"],
            "fuel": ["gels", "rice balls", "a gel and a salt tab", "chews"],
        },
        "tags": ["#trailrunning", "#ultrarunning", "#trailrunner", "#runnersofinstagram", "#mountainrunning",
                 "#ultramarathon", "#trails", "#runhappy"],
        "brands": [
            ("Hoka", "hoka", ["Hoka", "HOKA ONE ONE", "HOKA", "hokaoneone", "Hoka One One"],
             ["trail shoes", "Speedgoat shoes"], ["las zapatillas de trail", "las Speedgoat"]),
            ("Salomon", "salomonrunning", ["Salomon", "SALOMON", "Salomon Running", "salomon trail"],
             ["race vest", "trail shoes"], ["el chaleco de carrera", "las zapatillas de trail"]),
            ("Altra", "altrarunning", ["Altra", "Altra Running", "ALTRA", "altrarunning"],
             ["zero-drop trail shoes", "Lone Peaks"], ["las zapatillas drop cero", "las Lone Peak"]),
            ("La Sportiva", "lasportiva", ["La Sportiva", "LaSportiva", "LA SPORTIVA", "la sportiva"],
             ["mountain shoes", "Bushido shoes"], ["las zapatillas de montaña", "las Bushido"]),
            ("Tailwind Nutrition", "tailwindnutrition", ["Tailwind", "Tailwind Nutrition", "tailwind"],
             ["endurance fuel", "electrolyte mix"], ["la bebida isotónica", "los electrolitos"]),
        ],
        "gender_f": 0.45, "age": [1, 14, 34, 30, 14, 5, 2],
        "platforms": [50, 20, 22, 0, 8], "tones": [15, 25, 3, 12, 25, 20],
        "es": {
            "words": ["trail", "montana", "corre", "ultra", "cumbres"],
            "bio": [
                "corredora de montaña", "ultra trail y kilómetros de tierra", "corriendo por los Pirineos",
                "trail running y café de termo", "finisher de ultras, aprendiz de todo",
                "entreno para mi primer 50k", "montaña, barro y buenos amigos",
                "crónicas de carreras y material honesto",
            ],
            "topics": [
                "Salida larga de {dist} con {vert} de desnivel, piernas destrozadas.",
                "Crónica de {race}: {result}.",
                "Bajar rápido es técnica, no valentía: pasos cortos y mirada adelante.",
                "Temporada de barro, las zapatillas ya no tienen color.",
                "Caminar en las subidas no es hacer trampa, es estrategia.",
                "Amanecer en la cresta tras un despertador a las 5, valió la pena.",
                "Mochila lista para {dist}: dos flasks, chubasquero y demasiadas gominolas.",
                "Semana de descarga antes de la carrera y ya estoy de los nervios.",
                "Me torcí el tobillo bajando, toca fuerza y paciencia.",
                "Zona 2: aburrida, pero funciona.",
            ],
            "fills": {
                "dist": ["25 km", "30 km", "42 km", "50 km", "20 km"],
                "vert": ["1.500 m", "2.000 m", "900 m", "2.800 m"],
                "race": ["Zegama", "Transvulcania", "Ultra Pirineu", "Transgrancanaria", "mi primer ultra"],
                "result": ["mejoré 12 minutos", "abandono en el km 38 y en paz con ello",
                           "llegué de noche pero sonriendo", "top 20 de mi categoría"],
            },
            "tags": ["#trailrunning", "#correrpormontaña", "#ultratrail", "#trail", "#montaña", "#running"],
        },
    },
    "vegan_cooking": {
        "label": "vegan cooking",
        "cats": ["Food & Drink", "Recipes", "Vegan", "Cooking", "Health & Food"],
        "cats_es": ["Comida", "Recetas", "Cocina"],
        "words": ["vegan", "plantkitchen", "eatsplants", "tofu", "veggiekitchen", "greens"],
        "bio": [
            "plant-based recipes for busy weeknights", "vegan cook | recipe developer", "cooking plants, no fuss",
            "vegan for 8 years, cookbook in progress", "high-protein vegan meals", "budget vegan recipes under $10",
            "tofu evangelist", "home cook feeding a very non-vegan family", "plant-based meal prep every Sunday",
            "vegan baking that actually rises",
        ],
        "topics": [
            "Made {dish} tonight and nobody missed the meat.",
            "Press your tofu, people. Then press it again.",
            "This {dish} takes 20 minutes and one pan.",
            "Meal prep for the week: {dish}, roasted veg and a big pot of lentils.",
            "Cashew cream is the secret to a silky pasta sauce.",
            "Tried aquafaba meringues for the first time, they actually held their shape.",
            "Grocery haul: tempeh, oat milk, nooch and way too many mushrooms.",
            "Miso + maple + garlic is the glaze you need on everything.",
            "Protein check: chickpeas, lentils and tofu in one bowl, about 35g.",
            "Recipe is in the caption: {dish} with a crispy chickpea topping.",
            "Testing vegan butter in shortbread, round {n} of this experiment.",
            "My mum asked for the recipe for my {dish}. Biggest compliment possible.",
        ],
        "fills": {
            "dish": ["mushroom stroganoff", "peanut noodle bowls", "black bean chili", "coconut dal",
                     "tofu katsu curry", "lentil shepherd's pie", "crispy gochujang cauliflower",
                     "creamy tuscan white beans"],
            "n": ["three", "four", "five", "six"],
        },
        "tags": ["#vegan", "#plantbased", "#veganrecipes", "#whatveganseat", "#veganfood", "#mealprep",
                 "#plantbasedprotein", "#veganbaking"],
        "brands": [
            ("Oatly", "oatly", ["Oatly", "OATLY", "oatly"], ["Barista Edition oat milk", "oat drink"],
             ["la bebida de avena Barista", "la bebida de avena"]),
            ("Beyond Meat", "beyondmeat", ["Beyond Meat", "beyondmeat", "Beyond", "BEYOND MEAT"],
             ["burgers", "plant-based sausages"], ["las hamburguesas vegetales", "las salchichas vegetales"]),
            ("Violife", "violifefoods", ["Violife", "VIOLIFE", "violife"], ["vegan feta", "plant-based cheddar"],
             ["el feta vegano", "el queso vegetal"]),
            ("Vitamix", "vitamix", ["Vitamix", "VITAMIX", "vitamix"], ["blender", "A3500 blender"],
             ["la batidora", "la batidora A3500"]),
            ("Huel", "huel", ["Huel", "HUEL", "huel"], ["Black Edition shake", "hot meals"],
             ["el batido Black Edition", "los platos calientes"]),
        ],
        "gender_f": 0.70, "age": [3, 24, 36, 22, 10, 4, 1],
        "platforms": [50, 30, 17, 0, 3], "tones": [25, 20, 5, 25, 15, 10],
        "es": {
            "words": ["vegana", "cocina", "recetas", "verde", "plantas"],
            "bio": [
                "recetas veganas fáciles", "cocina vegetal para toda la familia", "vegana desde hace 6 años",
                "comida real, sin complicaciones", "meal prep vegano los domingos",
                "repostería vegana que sí sube",
            ],
            "topics": [
                "Hoy tocó {dish} y nadie echó de menos la carne.",
                "Prensa bien el tofu. Y luego otra vez.",
                "Este {dish} se hace en 20 minutos y en una sola sartén.",
                "Meal prep de la semana: {dish}, verduras asadas y lentejas.",
                "El secreto de una salsa cremosa: anacardos remojados.",
                "Compra de la semana: tempeh, bebida de avena y muchos champiñones.",
                "Proteína vegetal: garbanzos, lentejas y tofu en un bol, unos 35 g.",
                "Mi abuela me pidió la receta de mi {dish}. No hay mayor halago.",
            ],
            "fills": {"dish": ["guiso de lentejas", "curry de garbanzos", "taco de champiñones",
                               "arroz con verduras", "chili de frijoles negros", "pastel de calabaza"]},
            "tags": ["#vegano", "#recetasveganas", "#comidavegana", "#plantbased", "#cocinavegana", "#mealprep"],
        },
    },
    "skincare": {
        "label": "skincare",
        "cats": ["Beauty", "Skincare", "Health & Beauty", "Beauty & Personal Care"],
        "cats_es": ["Belleza", "Cuidado de la piel"],
        "words": ["skin", "glow", "skincare", "derm", "spf", "dewy"],
        "bio": [
            "skincare that's actually evidence-based", "licensed esthetician", "acne journey + honest reviews",
            "sensitive skin club", "glow, not filters", "dermatology nurse talking SPF",
            "skincare minimalist | 3-step routines", "reviewing every serum so you don't have to",
            "barrier repair era", "clean skin, messy life",
        ],
        "topics": [
            "My current PM routine: cleanse, {active}, moisturiser, done.",
            "SPF every single day, even when it's cloudy. Yes, even in November.",
            "Purging or breaking out? Here's how I tell the difference.",
            "Stopped using {active} for two weeks and my barrier thanked me.",
            "Double cleansing changed my skin more than any serum.",
            "Texture check, no filter. This is what real skin looks like.",
            "Layering order matters: thinnest to thickest, always.",
            "Dry winter skin emergency: slugging with a thick balm overnight.",
            "Patch test everything, especially if you're adding {active}.",
            "Empties of the month, and which ones I'd actually repurchase.",
            "Hyperpigmentation update: 12 weeks of {active} and consistent sunscreen.",
            "Dermatologist appointment today, notes in the thread.",
        ],
        "fills": {"active": ["retinol", "niacinamide", "vitamin C", "azelaic acid", "a BHA exfoliant",
                             "tretinoin", "peptides"]},
        "tags": ["#skincare", "#skincareroutine", "#spf", "#skintok", "#acnejourney", "#skinbarrier",
                 "#glowingskin", "#skincaretips"],
        "brands": [
            ("CeraVe", "cerave", ["CeraVe", "CERAVE", "cera ve", "Cerave"], ["moisturising cream", "hydrating cleanser"],
             ["la crema hidratante", "el limpiador hidratante"]),
            ("The Ordinary", "theordinary", ["The Ordinary", "theordinary", "Deciem The Ordinary", "THE ORDINARY"],
             ["niacinamide serum", "AHA peeling solution"], ["el sérum de niacinamida", "el peeling AHA"]),
            ("La Roche-Posay", "larocheposay", ["La Roche-Posay", "La Roche Posay", "LRP", "laroche posay"],
             ["Anthelios sunscreen", "Cicaplast balm"], ["el protector Anthelios", "el bálsamo Cicaplast"]),
            ("Drunk Elephant", "drunkelephant", ["Drunk Elephant", "drunkelephant", "DRUNK ELEPHANT"],
             ["Protini cream", "glow drops"], ["la crema Protini", "las gotas iluminadoras"]),
            ("Augustinus Bader", "augustinusbader", ["Augustinus Bader", "A. Bader", "augustinusbader", "AUGUSTINUS BADER"],
             ["The Rich Cream", "The Cream"], ["The Rich Cream", "The Cream"]),
        ],
        "gender_f": 0.82, "age": [6, 32, 34, 16, 8, 3, 1],
        "platforms": [45, 38, 15, 0, 2], "tones": [15, 30, 25, 15, 10, 5],
        "es": {
            "words": ["piel", "skincare", "glow", "rutina"],
            "bio": [
                "cuidado de la piel con evidencia", "esteticista titulada", "piel sensible y reseñas honestas",
                "rutinas sencillas de 3 pasos", "mi camino con el acné", "protector solar todos los días",
            ],
            "topics": [
                "Mi rutina de noche: limpiar, {active}, hidratante y a dormir.",
                "Protector solar todos los días, aunque esté nublado.",
                "¿Purga o brote? Así distingo uno del otro.",
                "Dejé de usar {active} dos semanas y mi barrera lo agradeció.",
                "La doble limpieza cambió mi piel más que cualquier sérum.",
                "Textura real, sin filtro. Así es la piel de verdad.",
                "Orden de capas: de la más ligera a la más densa.",
                "Productos terminados del mes y cuáles volvería a comprar.",
            ],
            "fills": {"active": ["retinol", "niacinamida", "vitamina C", "ácido azelaico"]},
            "tags": ["#skincare", "#cuidadodelapiel", "#rutinafacial", "#protectorsolar", "#pielsensible", "#acne"],
        },
    },
    "personal_finance": {
        "label": "personal finance",
        "cats": ["Finance", "Education", "Business & Finance", "Personal Finance"],
        "cats_es": ["Finanzas", "Educación"],
        "words": ["money", "cents", "budgets", "wealth", "finance", "savings", "pennies"],
        "bio": [
            "helping you pay off debt without giving up coffee", "personal finance for people who hate spreadsheets",
            "CFA | investing basics", "debt-free at 29, here's how", "budgeting, saving, index funds",
            "money coach | FIRE curious", "first-gen wealth builder",
            "explaining money like your smart friend would", "ex-banker, now teaching budgeting",
            "side hustles & savings challenges",
        ],
        "topics": [
            "Paid off the last of my {debt} this month. {n} months of boring consistency.",
            "The 50/30/20 rule is a starting point, not a religion.",
            "Your emergency fund is not an investment. It's insurance.",
            "Index funds are boring. Boring is the point.",
            "I track every expense for one month each year, and it's always humbling.",
            "High-yield savings vs. paying down debt: how I decide.",
            "Automate your savings on payday so you never see the money.",
            "Compound interest example: {amount} a month from age 25 vs age 35.",
            "Lifestyle creep is real. A raise is not a reason to upgrade everything.",
            "Budget check-in for {month}: overspent on groceries, nailed everything else.",
            "Sinking funds for Christmas start now, not December.",
            "Credit score myths I believed until I was 27.",
        ],
        "fills": {"debt": ["credit card", "car loan", "student loan", "overdraft"], "n": ["14", "9", "22", "18"],
                  "amount": ["$200", "£150", "$300", "$500"],
                  "month": ["October", "September", "March", "August", "June"]},
        "tags": ["#personalfinance", "#budgeting", "#moneytips", "#debtfree", "#investing", "#savingmoney",
                 "#financialfreedom", "#fire"],
        "brands": [
            ("Revolut", "revolutapp", ["Revolut", "REVOLUT", "revolut"], ["savings vaults", "budgeting tools"],
             ["las huchas de ahorro", "las herramientas de presupuesto"]),
            ("Wise", "wise", ["Wise", "TransferWise", "wise.com", "WISE"], ["multi-currency account", "travel card"],
             ["la cuenta multidivisa", "la tarjeta de viaje"]),
            ("N26", "n26", ["N26", "n26 bank", "N 26"], ["account", "Spaces feature"], ["la cuenta", "los Espacios"]),
            ("Monzo", "monzo", ["Monzo", "monzo bank", "MONZO"], ["savings pots", "app"],
             ["los botes de ahorro", "la app"]),
            ("Trading 212", "trading212", ["Trading 212", "Trading212", "T212"], ["ISA", "investing app"],
             ["la cuenta de inversión", "la app de inversión"]),
        ],
        "gender_f": 0.38, "age": [1, 22, 42, 22, 9, 3, 1],
        "platforms": [25, 25, 30, 0, 20], "tones": [15, 40, 5, 10, 20, 10],
        "es": {
            "words": ["finanzas", "ahorro", "dinero", "euros", "pesos"],
            "bio": [
                "finanzas personales sin aburrirte", "ahorro, inversión y cero deudas",
                "te explico el dinero como una amiga", "libre de deudas a los 30", "economista y divulgadora",
                "presupuestos que sí funcionan",
            ],
            "topics": [
                "Este mes terminé de pagar {debt}. {n} meses de constancia aburrida.",
                "El fondo de emergencia no es una inversión, es un seguro.",
                "Los fondos indexados son aburridos, y esa es la gracia.",
                "Automatiza el ahorro el día de cobro y no lo verás.",
                "Revisión del presupuesto de {month}: me pasé en el súper, lo demás perfecto.",
                "El interés compuesto explicado con un café al día.",
                "Mitos del historial crediticio que me creí hasta los 27.",
                "Subir de sueldo no es excusa para subir de gastos.",
            ],
            "fills": {"debt": ["la tarjeta de crédito", "el préstamo del coche"], "n": ["14", "9", "22"],
                      "month": ["octubre", "septiembre", "marzo", "agosto"]},
            "tags": ["#finanzaspersonales", "#ahorro", "#educacionfinanciera", "#inversion", "#dinero",
                     "#presupuesto"],
        },
    },
    "indie_gaming": {
        "label": "indie gaming",
        "cats": ["Gaming", "Video Games", "Entertainment", "Streaming"],
        "cats_es": ["Videojuegos", "Entretenimiento"],
        "words": ["plays", "gg", "pixels", "games", "streams", "lootgoblin", "respawn"],
        "bio": [
            "indie games & cozy chaos", "streaming roguelikes most nights", "variety streamer | mostly indies",
            "game dev curious, pixel art lover", "playing games so you know which ones to buy",
            "retro + indie + too much coffee", "Steam Next Fest goblin", "speedrunning games nobody asked for",
            "cozy gamer, chaotic energy", "reviews of small games with big hearts",
        ],
        "topics": [
            "Just hit {hours} hours in {game} and I regret nothing.",
            "Tonight's stream: blind run of {game}, bring snacks.",
            "Hidden gem alert: {game} is on sale and you need it.",
            "Died to the same boss {n} times. Chat is not helping.",
            "Top 5 indie games of the year so far, number 1 surprised me.",
            "The pixel art in {game} is unreal, every frame is a wallpaper.",
            "Steam Next Fest demo haul: played 14 demos, wishlisted 9.",
            "Roguelike brain: just one more run, it's 3am.",
            "Co-op night with the community, absolute chaos in {game}.",
            "Finally 100%'d {game}. Achievement hunters, I see you.",
            "The soundtrack of {game} lives in my head rent-free.",
            "Unpopular opinion: short games are underrated.",
        ],
        "fills": {"game": ["Hades II", "Hollow Knight", "Balatro", "Stardew Valley", "Celeste", "Dredge", "Tunic",
                           "Slay the Spire", "Outer Wilds"],
                  "hours": ["40", "120", "300", "75"], "n": ["47", "23", "31", "60"]},
        "tags": ["#indiegames", "#gaming", "#indiedev", "#roguelike", "#cozygames", "#twitchstreamer", "#steam",
                 "#gamer"],
        "brands": [
            ("Devolver Digital", "devolverdigital", ["Devolver Digital", "Devolver", "devolverdigital", "DEVOLVER"],
             ["new roguelike", "latest release"], ["su nuevo roguelike", "su último lanzamiento"]),
            ("Annapurna Interactive", "annapurnainteractive",
             ["Annapurna Interactive", "Annapurna", "annapurna interactive", "ANNAPURNA"],
             ["new narrative game", "latest game"], ["su nuevo juego narrativo", "su último juego"]),
            ("Raw Fury", "rawfury", ["Raw Fury", "RAW FURY", "rawfury"], ["new strategy game", "upcoming release"],
             ["su nuevo juego de estrategia", "su próximo lanzamiento"]),
            ("Razer", "razer", ["Razer", "RAZER", "razer"], ["headset", "keyboard"], ["los cascos", "el teclado"]),
            ("Humble Bundle", "humble", ["Humble Bundle", "humblebundle", "Humble"], ["indie bundle", "Choice subscription"],
             ["el pack indie", "la suscripción Choice"]),
        ],
        "gender_f": 0.28, "age": [14, 38, 30, 12, 4, 1, 1],
        "platforms": [5, 20, 30, 35, 10], "tones": [40, 10, 2, 10, 18, 20],
        "es": {
            "words": ["juega", "gamer", "pixel", "gg", "partidas"],
            "bio": [
                "juegos indie y caos cozy", "streamer de roguelikes", "variedad en directo, sobre todo indies",
                "reseñas de juegos pequeños con gran corazón", "speedruns de juegos que nadie pidió",
                "gamer cozy, energía caótica",
            ],
            "topics": [
                "Llevo {hours} horas en {game} y no me arrepiento de nada.",
                "Directo esta noche: partida a ciegas de {game}, traed snacks.",
                "Joya oculta: {game} está de oferta y lo necesitas.",
                "Morí {n} veces contra el mismo jefe. El chat no ayuda.",
                "Top 5 de juegos indie del año, el número 1 os va a sorprender.",
                "Noche cooperativa con la comunidad, caos absoluto en {game}.",
                "Cerebro roguelike: una partida más y son las 3 de la mañana.",
                "Los juegos cortos están infravalorados.",
            ],
            "fills": {"game": ["Hades II", "Hollow Knight", "Balatro", "Celeste", "Blasphemous", "Dredge"],
                      "hours": ["40", "120", "300"], "n": ["47", "23", "31"]},
            "tags": ["#juegosindie", "#gaming", "#videojuegos", "#indiedev", "#streamer", "#roguelike"],
        },
    },
    "home_diy": {
        "label": "home DIY",
        "cats": ["Home & Garden", "DIY", "Home Improvement", "Crafts"],
        "words": ["builds", "diy", "makes", "reno", "workshop", "fixesthings"],
        "bio": [
            "renovating a 1920s house one weekend at a time", "DIY on a renter's budget", "power tools & paint swatches",
            "first-time homeowner, learning by doing", "carpenter sharing build plans",
            "upcycling furniture from the curb", "tiny house builder", "bathroom reno survivor",
            "woodworking hobbyist", "weekend warrior | garage workshop",
        ],
        "topics": [
            "Ripped out the {room} carpet and found original hardwood underneath.",
            "Day {n} of the {room} reno: drywall dust in places I didn't know existed.",
            "Built a {build} from scrap wood, total cost under $40.",
            "Measure twice, cut once. I measured once. Guess how it went.",
            "Paint colour decision took three weeks and fourteen swatches.",
            "Beginner tip: pre-drill your holes and your wood won't split.",
            "Curb find turned into a {build} with some sanding and stain.",
            "Tiling the {room} backsplash myself, send grout encouragement.",
            "Renter-friendly upgrade: peel and stick, swapped handles, new lighting.",
            "Cost breakdown of the whole {room} makeover is in the comments.",
            "Sanded an old dresser back to bare wood. Zen and sawdust.",
            "Installed my first light fixture without calling my dad.",
        ],
        "fills": {"room": ["kitchen", "bathroom", "bedroom", "hallway", "living room", "laundry room"],
                  "build": ["floating shelf", "garden bench", "bookcase", "planter box", "coffee table", "headboard"],
                  "n": ["12", "37", "58", "4"]},
        "tags": ["#diy", "#homerenovation", "#woodworking", "#diyhome", "#beforeandafter", "#homeimprovement",
                 "#upcycling", "#renovation"],
        "brands": [
            ("DeWalt", "dewalttough", ["DeWalt", "DEWALT", "de walt", "Dewalt"], ["cordless drill", "impact driver"], []),
            ("Ryobi", "ryobitools", ["Ryobi", "RYOBI", "ryobi one+"], ["orbital sander", "18V drill"], []),
            ("IKEA", "ikea", ["IKEA", "Ikea", "ikea"], ["shelving", "kitchen cabinets"], []),
            ("Bosch", "boschtools", ["Bosch", "BOSCH", "bosch power tools"], ["laser level", "jigsaw"], []),
            ("Rust-Oleum", "rustoleum", ["Rust-Oleum", "Rustoleum", "RUST-OLEUM"], ["chalked paint", "spray paint"], []),
        ],
        "gender_f": 0.45, "age": [1, 10, 30, 30, 17, 9, 3],
        "platforms": [40, 25, 33, 0, 2], "tones": [25, 30, 3, 12, 25, 5],
    },
    "parenting": {
        "label": "parenting",
        "cats": ["Family", "Parenting", "Lifestyle", "Family & Parenting"],
        "words": ["mama", "dadlife", "momlife", "littles", "family", "mumof3"],
        "bio": [
            "mom of 3 under 5, surviving on coffee", "dad life & dad jokes", "gentle parenting, real life",
            "toddler wrangler | ex-teacher", "twin mum, tired but thriving", "pediatric nurse + mama",
            "honest postpartum talk", "raising two tiny humans", "Montessori-ish at home",
            "first-time parent learning out loud",
        ],
        "topics": [
            "Toddler refused {food} today, ate a crayon instead.",
            "Bedtime routine that finally works: bath, {n} books, lights out.",
            "Postpartum is not a bounce back, it's a slow rebuild.",
            "Sleep regression at {age}. Send coffee.",
            "Easy activities for a rainy day with a {kid}.",
            "Screen time guilt? Let's talk about it honestly.",
            "Packed lunches for the week, the picky eater edition.",
            "Potty training day 3: we are winning? Maybe?",
            "The mental load is real and it's usually invisible.",
            "Tiny win: first full night of sleep in {n} weeks.",
            "Baby-led weaning update: more food on the floor than in the baby.",
            "Family trip with a toddler: what I packed and what I regret.",
        ],
        "fills": {"food": ["broccoli", "pasta", "anything green", "toast cut in triangles"],
                  "n": ["three", "two", "eight", "eleven"], "age": ["4 months", "18 months", "2 years", "8 months"],
                  "kid": ["toddler", "three-year-old", "preschooler", "baby"]},
        "tags": ["#momlife", "#parenting", "#toddlerlife", "#dadlife", "#postpartum", "#gentleparenting",
                 "#motherhood", "#familytime"],
        "brands": [
            ("Pampers", "pampers", ["Pampers", "PAMPERS", "pampers"], ["Pure nappies", "diapers"], []),
            ("Huggies", "huggies", ["Huggies", "HUGGIES", "huggies"], ["wipes", "diapers"], []),
            ("Lovevery", "lovevery", ["Lovevery", "LOVEVERY", "lovevery"], ["play kit", "block set"], []),
            ("Graco", "gracobaby", ["Graco", "graco baby", "GRACO"], ["car seat", "stroller"], []),
            ("Nanit", "nanit", ["Nanit", "NANIT", "nanit"], ["baby monitor", "sleep tracker"], []),
        ],
        "gender_f": 0.85, "age": [0.5, 8, 45, 34, 9, 3, 0.5],
        "platforms": [55, 30, 10, 0, 5], "tones": [30, 10, 5, 25, 25, 5],
    },
    "travel": {
        "label": "travel",
        "cats": ["Travel", "Lifestyle", "Travel & Leisure", "Photography"],
        "cats_es": ["Viajes", "Estilo de vida"],
        "words": ["travels", "wanders", "abroad", "roams", "passport", "nomad", "awayagain"],
        "bio": [
            "slow travel & street food", "40 countries, one backpack", "solo female traveller",
            "travel on a budget, never on a schedule", "van life | currently somewhere rainy", "points & miles nerd",
            "weekend getaways from the city", "digital nomad, currently somewhere sunny", "travel photographer",
            "hidden gems, not tourist traps",
        ],
        "topics": [
            "{n} days in {place} and I already want to move here.",
            "Carry-on only for {n} days: here's everything I packed.",
            "Found the best {food} in {place} down a tiny alley.",
            "Sunrise in {place} without the crowds: get there before 6.",
            "How I booked this trip with points: flights cost me $54 in taxes.",
            "Slow travel tip: stay a week, not a night.",
            "Missed my train in {place} and it turned into the best day of the trip.",
            "Budget breakdown for {place}: accommodation, food, transport.",
            "Overnight train diaries, 10/10 would sleep in a bunk again.",
            "The locals told me to skip the famous viewpoint, so I did.",
            "Jet lag cure that actually works for me: sunlight and no naps.",
            "Packing cubes changed my life and I'm not exaggerating.",
        ],
        "fills": {"place": ["Lisbon", "Kyoto", "Oaxaca", "the Dolomites", "Hoi An", "Tbilisi", "Porto", "Cape Town",
                            "Patagonia", "Seoul"],
                  "food": ["street food", "coffee", "noodles", "pastries", "dumplings"],
                  "n": ["five", "ten", "three", "fourteen"]},
        "tags": ["#travel", "#solotravel", "#travelgram", "#budgettravel", "#wanderlust", "#slowtravel",
                 "#travelphotography", "#backpacking"],
        "brands": [
            ("Airbnb", "airbnb", ["Airbnb", "AirBnB", "air bnb", "airbnb"], ["cabin stay", "city apartment"],
             ["la cabaña", "el apartamento"]),
            ("Booking.com", "bookingcom", ["Booking.com", "Booking", "booking dot com"], ["hotel deals", "app"],
             ["las ofertas de hotel", "la app"]),
            ("Away", "away", ["Away", "Away luggage", "awaytravel"], ["carry-on", "suitcase"],
             ["la maleta de cabina", "la maleta"]),
            ("Osprey", "ospreypacks", ["Osprey", "Osprey Packs", "OSPREY"], ["travel backpack", "Farpoint pack"],
             ["la mochila de viaje", "la mochila Farpoint"]),
            ("Skyscanner", "skyscanner", ["Skyscanner", "SkyScanner", "skyscanner"], ["price alerts", "app"],
             ["las alertas de precio", "la app"]),
        ],
        "gender_f": 0.58, "age": [2, 22, 36, 22, 11, 5, 2],
        "platforms": [50, 25, 22, 0, 3], "tones": [20, 15, 20, 20, 15, 10],
        "es": {
            "words": ["viaja", "viajes", "mundo", "nomada", "mochila"],
            "bio": [
                "viajar lento y comer bien", "mochilera por Latinoamérica", "viajes baratos, sin prisa",
                "fotógrafa de viajes", "escapadas de fin de semana", "nómada digital, hoy en algún lugar con sol",
            ],
            "topics": [
                "{n} días en {place} y ya me quiero mudar.",
                "Solo equipaje de mano para {n} días: te cuento qué llevé.",
                "Encontré el mejor {food} de {place} en un callejón.",
                "Amanecer en {place} sin gente: hay que llegar antes de las 6.",
                "Presupuesto completo de {place}: alojamiento, comida y transporte.",
                "Perdí el tren y terminó siendo el mejor día del viaje.",
                "Consejo de viaje lento: quédate una semana, no una noche.",
            ],
            "fills": {"place": ["Oaxaca", "Cartagena", "Lisboa", "Salta", "Asturias", "Cusco", "Medellín", "Granada"],
                      "food": ["café", "helado", "mercado", "desayuno"], "n": ["cinco", "diez", "tres", "siete"]},
            "tags": ["#viajes", "#viajar", "#mochilero", "#viajeslowcost", "#travel", "#wanderlust"],
        },
    },
    "pets": {
        "label": "pets",
        "cats": ["Pets", "Animals", "Pets & Animals"],
        "cats_es": ["Mascotas", "Animales"],
        "words": ["paws", "woof", "dogmom", "catlady", "pup", "andthedog"],
        "bio": [
            "golden retriever dad", "two rescue cats running my life", "dog trainer | positive reinforcement",
            "adventures of a very dramatic corgi", "foster mum to 40+ dogs", "cat content, every day",
            "senior dog appreciation account", "reactive dog journey", "vet tech & pet parent",
            "one beagle, zero personal space",
        ],
        "topics": [
            "{pet} just learned {trick} in two days. Treat budget: destroyed.",
            "Adoption day anniversary! {n} years with this goofball.",
            "Vet visit went great, {pet} is officially a healthy weight.",
            "Reactive dog walk update: only one bark today, huge progress.",
            "Enrichment idea: frozen lick mat with yoghurt and blueberries.",
            "{pet} vs. the vacuum, round {n}.",
            "Switching food slowly over 10 days to avoid tummy trouble.",
            "Senior dogs deserve all the soft beds in the world.",
            "Nail trim day. Everyone survived. Barely.",
            "Foster update: {pet} found a forever home this weekend!",
            "Cat zoomies at 3am, a documentary.",
            "Training tip: reward the calm, not just the trick.",
        ],
        "fills": {"pet": ["Biscuit", "Luna", "Mochi", "Otis", "Pepper", "Bear", "Nala", "Ziggy"],
                  "trick": ["to sit at crossings", "a paw shake", "to ring the door bell", "a reliable recall"],
                  "n": ["3", "5", "2", "7"]},
        "tags": ["#dogsofinstagram", "#catsofinstagram", "#rescuedog", "#petlife", "#dogtraining", "#adoptdontshop",
                 "#catlife", "#dogmom"],
        "brands": [
            ("Purina", "purina", ["Purina", "Purina Pro Plan", "PURINA", "purina"], ["Pro Plan kibble", "cat food"],
             ["el pienso Pro Plan", "la comida para gatos"]),
            ("Hill's", "hillspet", ["Hill's", "Hill's Science Diet", "hills pet", "Hills"], ["Science Diet food", "kibble"],
             ["el pienso Science Diet", "el pienso"]),
            ("BarkBox", "barkbox", ["BarkBox", "Bark Box", "barkbox"], ["toy box", "chew box"],
             ["la caja de juguetes", "la caja de premios"]),
            ("Chewy", "chewy", ["Chewy", "chewy.com", "CHEWY"], ["autoship order", "pet pharmacy"],
             ["el pedido automático", "la farmacia"]),
            ("Ollie", "myollie", ["Ollie", "Ollie Pets", "ollie"], ["fresh dog food", "trial box"],
             ["la comida fresca", "la caja de prueba"]),
        ],
        "gender_f": 0.68, "age": [4, 20, 30, 22, 13, 8, 3],
        "platforms": [55, 35, 8, 0, 2], "tones": [40, 10, 3, 25, 15, 7],
        "es": {
            "words": ["perrhijos", "gatos", "patitas", "mascotas", "guau"],
            "bio": [
                "mamá de dos perritos rescatados", "gatos, siempre gatos", "adiestradora canina en positivo",
                "aventuras de un salchicha dramático", "casa de acogida de perros", "veterinaria y amante de los animales",
            ],
            "topics": [
                "{pet} aprendió {trick} en dos días. Presupuesto de premios: agotado.",
                "¡Aniversario de adopción! {n} años con este payaso.",
                "Visita al veterinario perfecta, {pet} está en su peso.",
                "Paseo con perro reactivo: solo un ladrido hoy, ¡gran avance!",
                "Idea de enriquecimiento: alfombra lamedora congelada con yogur.",
                "{pet} contra la aspiradora, asalto {n}.",
                "Cambio de pienso poco a poco, en diez días, para evitar problemas de barriga.",
                "Los perros mayores merecen todas las camitas del mundo.",
            ],
            "fills": {"pet": ["Canela", "Lola", "Toby", "Coco", "Simba", "Kira"],
                      "trick": ["a sentarse en los pasos de cebra", "a dar la pata", "a venir a la primera"],
                      "n": ["3", "5", "2", "7"]},
            "tags": ["#perros", "#gatos", "#adoptanocompres", "#mascotas", "#perrosdeinstagram", "#gatosdeinstagram"],
        },
    },
    "fashion_thrift": {
        "label": "thrift fashion",
        "cats": ["Fashion", "Style", "Shopping & Retail", "Vintage"],
        "words": ["thrifts", "vintage", "wears", "closet", "secondhand", "style", "rewears"],
        "bio": [
            "thrift flips & secondhand style", "vintage seller | shop link below", "slow fashion, fast opinions",
            "capsule wardrobe with 33 pieces", "charity shop treasure hunter",
            "upcycling old clothes into new favourites", "70s everything", "plus size thrifting",
            "secondhand first since 2019", "styling the same jeans 20 ways",
        ],
        "topics": [
            "Thrifted this {item} for ${price} and I'm never taking it off.",
            "Charity shop haul: a {item}, a wool blazer and a mystery scarf.",
            "Cost per wear on my favourite {item}: about 12 cents now.",
            "Flipping an oversized {item} into something that actually fits.",
            "Three ways to style one {item} this autumn.",
            "No-buy month update: temptation is everywhere.",
            "Vintage pricing is getting wild, let's talk about it.",
            "Mending a hole instead of tossing the jumper. Visible mending for the win.",
            "Closet clear-out: what stays, what gets sold, what gets swapped.",
            "Outfit repeat? Proudly. Fifth time this month.",
            "Thrift tip: always check the men's section for a {item}.",
            "Clothing swap this weekend with 30 friends, pure chaos.",
        ],
        "fills": {"item": ["leather jacket", "denim skirt", "wool coat", "cardigan", "trench coat", "silk shirt",
                           "linen blazer"], "price": ["6", "12", "4", "18"]},
        "tags": ["#thrifted", "#thriftflip", "#secondhandfirst", "#vintagestyle", "#slowfashion", "#ootd",
                 "#sustainablefashion", "#depop"],
        "brands": [
            ("Depop", "depop", ["Depop", "DEPOP", "depop"], ["shop", "app"], []),
            ("Vinted", "vinted", ["Vinted", "VINTED", "vinted"], ["app", "wardrobe clear-out"], []),
            ("ThredUp", "thredup", ["ThredUp", "thredUP", "thred up"], ["clean out kit", "thrift haul"], []),
            ("Levi's", "levis", ["Levi's", "Levis", "LEVI'S"], ["501 jeans", "trucker jacket"], []),
            ("Patagonia", "patagonia", ["Patagonia", "Patagonia Worn Wear", "PATAGONIA"], ["Worn Wear fleece", "Better Sweater"], []),
        ],
        "gender_f": 0.78, "age": [8, 40, 32, 12, 5, 2, 1],
        "platforms": [50, 38, 10, 0, 2], "tones": [25, 10, 20, 15, 25, 5],
    },
    "tech_reviews": {
        "label": "tech reviews",
        "cats": ["Technology", "Tech", "Science & Technology", "Electronics"],
        "words": ["tech", "unboxed", "gadgets", "setup", "techtalks", "bytes"],
        "bio": [
            "honest tech reviews, no hype", "phones, laptops & desk setups", "ex-engineer reviewing gadgets",
            "budget tech that's actually good", "minimal desk setup nerd", "smart home tinkerer",
            "unboxing everything so you don't have to", "benchmarking things nobody asked for",
            "audio gear obsessive", "Android > iOS (fight me)",
        ],
        "topics": [
            "Used the {device} for {n} weeks, full review is live.",
            "Battery test: the {device} lasted 11 hours of screen-on time.",
            "Desk setup tour: monitor arm, mechanical keyboard, one very tidy cable tray.",
            "Is the {device} worth it in 2026? Short answer: it depends.",
            "Fast charging explained in 60 seconds.",
            "Cable management tips for people who hate cable management.",
            "Tried a budget phone vs the {device}, the gap is smaller than you think.",
            "Smart home update: every light in the flat now runs on routines.",
            "Thermal test: how hot does the {device} get under load?",
            "Three settings to change the moment you unbox a new phone.",
            "Noise cancelling showdown on a 9 hour flight.",
            "Benchmark numbers are in the pinned comment.",
        ],
        "fills": {"device": ["Pixel 10", "Galaxy S25", "MacBook Air M4", "Steam Deck OLED", "iPad mini",
                             "Framework 13", "Kindle Scribe"], "n": ["two", "three", "six"]},
        "tags": ["#tech", "#techreview", "#gadgets", "#desksetup", "#unboxing", "#smarthome", "#android", "#techtok"],
        "brands": [
            ("Samsung", "samsung", ["Samsung", "SAMSUNG", "Samsung Mobile"], ["Galaxy phone", "monitor"], []),
            ("Anker", "anker", ["Anker", "ANKER", "anker official"], ["power bank", "GaN charger"], []),
            ("Belkin", "belkin", ["Belkin", "BELKIN", "belkin"], ["MagSafe stand", "charging dock"], []),
            ("UGREEN", "ugreen", ["UGREEN", "Ugreen", "ugreen official"], ["USB-C hub", "charger"], []),
            ("Logitech", "logitech", ["Logitech", "Logi", "LOGITECH"], ["MX Master mouse", "webcam"], []),
        ],
        "gender_f": 0.25, "age": [8, 30, 34, 17, 7, 3, 1],
        "platforms": [15, 25, 45, 2, 13], "tones": [15, 45, 10, 5, 15, 10],
    },
    "yoga_wellness": {
        "label": "yoga and wellness",
        "cats": ["Health & Wellness", "Yoga", "Fitness", "Mindfulness"],
        "words": ["yoga", "breathes", "flow", "moves", "wellness", "stillness"],
        "bio": [
            "yoga teacher | 500hr RYT", "breathwork & slow living", "mobility for desk people",
            "morning pages, evening yin", "meditation for people who can't sit still", "trauma-informed yoga",
            "pilates + yoga hybrid classes", "wellness without the woo", "sleep, stress & nervous system care",
            "free yoga flows every Sunday",
        ],
        "topics": [
            "{mins}-minute {flow} for tight hips after a long day at a desk.",
            "Breathwork before bed: in for 4, hold for 7, out for 8.",
            "Rest is productive. Read that again.",
            "Morning routine: water, ten minutes of stretching, no phone until 8.",
            "Practising {pose} for a year and today it finally clicked.",
            "Yin class tonight, bring a blanket and low expectations.",
            "You don't need to be flexible to start yoga. That's the whole point.",
            "Journaling prompt for this week: what can you let go of?",
            "Nervous system reset after a stressful week: walk, breathe, sleep.",
            "Mobility flow for runners, hamstrings especially.",
            "Teaching my first retreat next spring and I'm nervous-excited.",
            "Meditation streak: day {days}. Some days it's just ten breaths, and that counts.",
        ],
        "fills": {"flow": ["yin flow", "mobility routine", "vinyasa flow", "stretch sequence"],
                  "pose": ["crow pose", "headstand", "wheel", "side plank"],
                  "mins": ["10", "15", "20", "30"], "days": ["45", "100", "212", "30"]},
        "tags": ["#yoga", "#yogapractice", "#meditation", "#wellness", "#breathwork", "#mindfulness", "#selfcare",
                 "#yogaeveryday"],
        "brands": [
            ("Lululemon", "lululemon", ["lululemon", "Lululemon", "lulu", "LULULEMON"], ["Align leggings", "yoga mat"], []),
            ("Manduka", "manduka", ["Manduka", "MANDUKA", "manduka"], ["PRO mat", "cork block"], []),
            ("Alo Yoga", "aloyoga", ["Alo Yoga", "alo", "ALO", "aloyoga"], ["matching set", "Airlift leggings"], []),
            ("Calm", "calm", ["Calm", "Calm app", "CALM"], ["sleep stories", "app"], []),
            ("Headspace", "headspace", ["Headspace", "HeadSpace", "headspace"], ["meditation app", "sleep sounds"], []),
        ],
        "gender_f": 0.80, "age": [2, 20, 36, 24, 12, 5, 1],
        "platforms": [55, 25, 18, 0, 2], "tones": [5, 20, 15, 45, 10, 5],
    },
    "coffee": {
        "label": "coffee",
        "cats": ["Food & Drink", "Coffee", "Lifestyle", "Food & Beverage"],
        "words": ["coffee", "brews", "espresso", "beans", "pourover", "latte", "crema"],
        "bio": [
            "home barista, slow mornings", "pour-over nerd | V60 forever", "latte art in progress",
            "coffee roaster in a tiny garage", "cafe hopping & notebooks", "espresso dialling diaries",
            "Q grader sharing tasting notes", "cozy mornings, good beans", "coffee + books + rain",
            "specialty coffee on a budget",
        ],
        "topics": [
            "This morning's pour-over: {origin} beans, notes of {notes}.",
            "Dialled in a new bag: 18g in, 36g out, {secs} seconds.",
            "Latte art attempt #{n}. It's a tulip if you squint.",
            "Rainy morning, slow brew, nowhere to be.",
            "Grind size is the variable everyone ignores.",
            "Cafe find: {cafe}, tiny place, perfect flat white.",
            "Cold brew concentrate for the week, recipe below.",
            "Water temperature actually matters, I tested it so you don't have to.",
            "Tasting notes are suggestions, not promises.",
            "Unboxing a new grinder and trying not to cry at the price.",
            "Cosy corner, cinnamon oat latte, a book I can't put down.",
            "Home espresso setup under $500: what I'd buy again.",
        ],
        "fills": {"origin": ["Ethiopian", "Kenyan", "Colombian", "Guatemalan", "Rwandan", "Brazilian"],
                  "notes": ["jasmine and peach", "dark chocolate", "blackcurrant", "toffee and orange", "red apple"],
                  "secs": ["27", "30", "32"], "n": ["214", "38", "97", "12"],
                  "cafe": ["a basement roastery", "a spot near the station", "a tiny window cafe",
                           "a bakery-cafe downtown"]},
        "tags": ["#coffee", "#specialtycoffee", "#pourover", "#latteart", "#homebarista", "#coffeetime", "#espresso",
                 "#slowmornings"],
        "brands": [
            ("Nespresso", "nespresso", ["Nespresso", "NESPRESSO", "nespresso"], ["Vertuo machine", "pods"], []),
            ("Blue Bottle Coffee", "bluebottle", ["Blue Bottle Coffee", "Blue Bottle", "bluebottlecoffee"],
             ["subscription beans", "Bright Blend"], []),
            ("Lavazza", "lavazza", ["Lavazza", "LAVAZZA", "lavazza"], ["espresso beans", "Qualità Oro"], []),
            ("Fellow", "fellowproducts", ["Fellow", "Fellow Products", "fellow"], ["Stagg kettle", "Ode grinder"], []),
            ("Breville", "breville", ["Breville", "Sage by Breville", "BREVILLE"], ["Barista Express", "milk frother"], []),
        ],
        "gender_f": 0.52, "age": [2, 22, 38, 22, 10, 4, 2],
        "platforms": [55, 25, 17, 0, 3], "tones": [10, 25, 15, 40, 8, 2],
    },
    "books": {
        "label": "books",
        "cats": ["Books", "Books & Literature", "Education", "Arts & Culture"],
        "words": ["reads", "books", "pages", "bookshelf", "reading", "library", "chapters"],
        "bio": [
            "reading 100 books a year (allegedly)", "booktok | fantasy & romance", "literary fiction and long walks",
            "bookseller by day", "audiobooks on every commute", "annotated books & tabs everywhere",
            "classics for people scared of classics", "horror reader with a nightlight", "book club host",
            "romantasy apologist",
        ],
        "topics": [
            "Finished {book} in one sitting and now I need to lie down.",
            "Reading wrap-up for {month}: {n} books, two five stars.",
            "If you liked {book}, try this lesser-known gem.",
            "DNF at page 150 and I feel zero guilt.",
            "My TBR pile is now a structural part of the flat.",
            "Annotating in pencil, fight me.",
            "Book club pick this month is {book}, discussion questions below.",
            "Audiobook narrators can make or break a story.",
            "Cosy reading nook tour, complete with a very judgemental cat.",
            "Five books that got me out of a reading slump.",
            "Unpopular opinion: the movie was better than the book. Once.",
            "Library haul! Free books are the best books.",
        ],
        "fills": {"book": ["The Secret History", "Piranesi", "Fourth Wing", "Project Hail Mary", "Demon Copperhead",
                           "The Night Circus", "Circe"],
                  "month": ["October", "September", "March", "August", "June"], "n": ["seven", "eleven", "five", "nine"]},
        "tags": ["#booktok", "#bookstagram", "#reading", "#bookrecommendations", "#booklover", "#currentlyreading",
                 "#tbr", "#bookclub"],
        "brands": [
            ("Audible", "audible", ["Audible", "audible", "AUDIBLE"], ["membership", "audiobook credits"], []),
            ("Kindle", "amazonkindle", ["Kindle", "Amazon Kindle", "kindle"], ["Paperwhite", "Kindle Unlimited"], []),
            ("Bookshop.org", "bookshop_org", ["Bookshop.org", "Bookshop", "bookshop org"], ["gift cards", "wishlist"], []),
            ("Libro.fm", "librofm", ["Libro.fm", "libro fm", "LibroFM"], ["audiobook membership", "app"], []),
            ("Penguin Random House", "penguinrandomhouse", ["Penguin Random House", "Penguin", "PRH"],
             ["new release", "advance copy"], []),
        ],
        "gender_f": 0.74, "age": [6, 34, 32, 15, 8, 4, 1],
        "platforms": [40, 40, 10, 0, 10], "tones": [25, 15, 5, 35, 15, 5],
    },
    "fitness": {
        "label": "fitness",
        "cats": ["Fitness", "Health & Fitness", "Sports", "Gym"],
        "cats_es": ["Fitness", "Deportes", "Salud"],
        "words": ["fit", "lifts", "strong", "gains", "trains", "gym", "reps"],
        "bio": [
            "strength coach | lift heavy, eat well", "gym girl, no excuses", "hypertrophy nerd",
            "home workouts, no equipment needed", "powerlifter, 200kg deadlift", "personal trainer helping beginners",
            "hybrid athlete: lift + run", "form checks and programming tips", "fitness over 40",
            "calisthenics progressions",
        ],
        "topics": [
            "Leg day: {lift} 5x5 and walking lunges till I cried.",
            "New PR on {lift}: {weight}! Two years of consistency.",
            "Progressive overload explained: add a little, every week.",
            "Full body workout you can do in 30 minutes, saved for later?",
            "Protein target hit: {n}g today without a single shake.",
            "Form check: keep your ribs down on overhead press.",
            "Rest days are when the muscle actually grows.",
            "5am gym crew, where you at?",
            "Deload week. Ego: bruised. Joints: grateful.",
            "Home workout: dumbbells, a bench and stubbornness.",
            "Cutting vs bulking: what I'd do as a beginner.",
            "Pull-up progression: from zero to {reps} in six months.",
        ],
        "fills": {"lift": ["squat", "deadlift", "bench press", "hip thrust"],
                  "weight": ["140kg", "100kg", "315 lbs", "225 lbs"], "n": ["160", "140", "180"],
                  "reps": ["8", "10", "12"]},
        "tags": ["#fitness", "#gym", "#workout", "#strengthtraining", "#fitnessmotivation", "#legday", "#gymtok",
                 "#personaltrainer"],
        "brands": [
            ("Gymshark", "gymshark", ["Gymshark", "GYMSHARK", "gym shark"], ["leggings", "training shorts"],
             ["los leggings", "los pantalones cortos"]),
            ("Myprotein", "myprotein", ["Myprotein", "MyProtein", "MYPROTEIN"], ["Impact Whey", "clear whey"],
             ["la Impact Whey", "la proteína clear"]),
            ("Prozis", "prozis", ["Prozis", "PROZIS", "prozis.com"], ["whey protein", "creatine"],
             ["la proteína whey", "la creatina"]),
            ("HSN", "hsnstore", ["HSN", "HSN Store", "hsnstore"], ["Evowhey", "creatine"], ["la Evowhey", "la creatina"]),
            ("Nike", "nike", ["Nike", "NIKE", "Nike Training"], ["Metcon shoes", "training tee"],
             ["las Metcon", "la camiseta de entreno"]),
        ],
        "gender_f": 0.50, "age": [6, 36, 34, 15, 6, 2, 1],
        "platforms": [45, 35, 17, 1, 2], "tones": [10, 20, 5, 5, 15, 45],
        "es": {
            "words": ["fit", "entrena", "fuerte", "gym", "fitness"],
            "bio": [
                "entrenadora personal | fuerza y constancia", "gym, proteína y buena vibra",
                "hipertrofia explicada fácil", "entreno en casa sin excusas", "crossfit y vida sana",
                "levantando pesado desde 2018", "coach online de fuerza", "fitness después de los 40",
                "calistenia y disciplina", "ayudo a principiantes a perderle el miedo al gym",
            ],
            "topics": [
                "Día de pierna: {lift} 5x5 y zancadas hasta no sentir nada.",
                "¡Nuevo récord en {lift}: {weight}! Dos años de constancia.",
                "La sobrecarga progresiva es la clave: un poquito más cada semana.",
                "Rutina de cuerpo completo en 30 minutos, guárdala para luego.",
                "Hoy llegué a {n} g de proteína sin un solo batido.",
                "Técnica: costillas abajo en el press militar.",
                "El músculo crece en los días de descanso, no lo olvides.",
                "Equipo de las 6 de la mañana, ¿dónde estáis?",
                "Semana de descarga: el ego sufre, las articulaciones lo agradecen.",
                "Entreno en casa: mancuernas, un banco y muchas ganas.",
                "Definición o volumen: lo que haría si empezara hoy.",
                "De cero a {reps} dominadas en seis meses.",
            ],
            "fills": {"lift": ["sentadilla", "peso muerto", "press banca", "hip thrust"],
                      "weight": ["140 kg", "100 kg", "120 kg", "80 kg"], "n": ["160", "140", "180"],
                      "reps": ["8", "10", "12"]},
            "tags": ["#fitness", "#gym", "#entrenamiento", "#motivacion", "#vidasana", "#fuerza", "#gymtok",
                     "#entrenadorpersonal"],
        },
    },
}
NICHE_KEYS = list(NICHES)
ES_NICHES = [k for k in NICHE_KEYS if "es" in NICHES[k]]
EN_NICHE_WEIGHTS = {k: 1.0 for k in NICHE_KEYS}
EN_NICHE_WEIGHTS.update({"fitness": 1.1, "skincare": 1.1, "travel": 1.1, "books": 0.85, "coffee": 0.9})
ES_NICHE_WEIGHTS = {"fitness": 3.0, "trail_running": 1.2, "vegan_cooking": 1.0, "skincare": 1.0, "travel": 1.0,
                    "indie_gaming": 1.0, "personal_finance": 0.9, "pets": 1.0}

#: brands any creator may partner with, whatever the niche (the classic YouTube sponsors)
CROSS_BRANDS = [
    ("NordVPN", "nordvpn", ["NordVPN", "Nord VPN", "nordvpn"],
     "This one's sponsored by {b}: I use it on every hotel and cafe wifi.",
     "Gracias a {b} por patrocinar este post: lo uso en cada wifi de hotel."),
    ("Squarespace", "squarespace", ["Squarespace", "squarespace"],
     "Built my new portfolio site on {b} in one afternoon.", "Hice mi nueva web con {b} en una tarde."),
    ("HelloFresh", "hellofresh", ["HelloFresh", "Hello Fresh", "hellofresh"],
     "{b} box this week, dinner sorted in 25 minutes.", "Caja de {b} esta semana, cena lista en 25 minutos."),
    ("Skillshare", "skillshare", ["Skillshare", "skillshare"],
     "Picked up a new skill on {b} this month, the photo editing class is great.",
     "Este mes aprendí algo nuevo en {b}, el curso de edición es genial."),
]

TONE_WORDS = {
    "playful": {
        "open": ["ok but", "not me", "plot twist:", "update nobody asked for:", "me, once again:", "lol so",
                 "PSA from your local goblin:", "tell me why"],
        "close": ["10/10 would do again", "anyway that's my TED talk", "send help (or snacks)", "no notes",
                  "chaos, but make it cute", "I'm fine. everything's fine."],
        "emoji": ["😂", "🤪", "🙃", "😅", "👀", "💀", "🫠", "✌️"],
        "bio": ["professional overthinker", "chaos coordinator", "fuelled by snacks and bad puns",
                "here for a good time, not a long time"],
        "es_open": ["a ver,", "no yo otra vez", "giro de guion:", "actualización que nadie pidió:", "jajaja bueno,",
                    "os cuento un drama:"],
        "es_close": ["10/10 lo repetiría", "y esa es mi charla TED", "mandad ayuda (o snacks)", "caos, pero bonito",
                     "todo bien, todo controlado"],
        "es_bio": ["profesional del caos", "memes y buenas vibras", "con más snacks que sentido común"],
        "n_emoji": (1, 3),
    },
    "expert": {
        "open": ["Quick tip:", "Here's what the research says:", "Explained:", "Most people get this wrong:",
                 "Thread:", "Myth vs fact:", "A simple framework:", "From 10 years of doing this:"],
        "close": ["Save this for later.", "Questions welcome below.", "Full breakdown on the channel.",
                  "Sources in the comments.", "Try it for two weeks and track the difference.", "Part 2 tomorrow."],
        "emoji": ["📌", "✅", "🧠", "📊", "👇"],
        "bio": ["certified and still learning", "evidence over trends", "10+ years of experience",
                "no fluff, just what works", "teaching the basics properly"],
        "es_open": ["Consejo rápido:", "Lo que dice la evidencia:", "Te lo explico:", "La mayoría lo hace mal:",
                    "Mito o realidad:", "Hilo:"],
        "es_close": ["Guárdalo para luego.", "Dudas en comentarios.", "Fuentes en comentarios.",
                     "Pruébalo dos semanas y me cuentas.", "Mañana, la segunda parte."],
        "es_bio": ["evidencia antes que modas", "más de 10 años de experiencia", "sin rodeos, lo que funciona"],
        "n_emoji": (0, 1),
    },
    "luxury": {
        "open": ["Elevated essentials:", "A quiet moment of indulgence.", "Curated for the season:",
                 "The art of slowing down.", "Sunday ritual.", "Only the finest, always."],
        "close": ["Details matter.", "Timeless, never trendy.", "An investment in yourself.", "Pure elegance.",
                  "Quality over everything."],
        "emoji": ["✨", "🤍", "🥂", "🕊️", "💫"],
        "bio": ["curated living", "timeless taste", "editorial, effortless, elevated", "aesthetic over everything",
                "quiet luxury enthusiast"],
        "es_open": ["Esenciales con estilo:", "Un pequeño lujo.", "Seleccionado para la temporada:",
                    "El arte de ir despacio.", "Ritual de domingo."],
        "es_close": ["Los detalles importan.", "Atemporal.", "Una inversión en ti.", "Pura elegancia."],
        "es_bio": ["estética y calma", "lujo silencioso", "vida curada con mimo"],
        "n_emoji": (1, 2),
    },
    "calm": {
        "open": ["Slow morning.", "A gentle reminder:", "Soft start to the week.", "Little moments:",
                 "Quiet day today.", "Taking it slow:"],
        "close": ["Be kind to yourself today.", "No rush.", "Hope your week feels gentle.", "Cosy season is here.",
                  "Breathe out."],
        "emoji": ["🌿", "☕", "🕯️", "🍂", "☁️", "🤎"],
        "bio": ["slow living", "cosy corners & small joys", "soft days, warm drinks", "finding calm in the everyday"],
        "es_open": ["Mañana tranquila.", "Un recordatorio suave:", "Inicio de semana sin prisas.",
                    "Pequeños momentos:", "Hoy, despacio."],
        "es_close": ["Sé amable contigo hoy.", "Sin prisa.", "Que tengas una semana bonita.", "Respira."],
        "es_bio": ["vida lenta", "pequeñas alegrías", "café caliente y días suaves"],
        "n_emoji": (1, 2),
    },
    "raw": {
        "open": ["honestly?", "real talk:", "not gonna lie,", "no filter today.", "unpopular opinion:",
                 "being honest here:"],
        "close": ["that's the truth.", "not everything is a highlight reel.", "take it or leave it.",
                  "just keeping it real.", "anyway."],
        "emoji": ["🤷", "😮‍💨"],
        "bio": ["no filters, no fake hype", "real life, unedited", "just a normal person sharing what works",
                "keeping it honest"],
        "es_open": ["sinceramente,", "hablando claro:", "no os voy a mentir,", "sin filtro hoy.", "opinión impopular:"],
        "es_close": ["esa es la verdad.", "no todo es perfecto.", "lo tomas o lo dejas.", "así, sin más."],
        "es_bio": ["sin filtros, sin postureo", "vida real, sin editar", "contando lo que funciona de verdad"],
        "n_emoji": (0, 0),
    },
    "energetic": {
        "open": ["LET'S GO!", "Big news!!", "Who's ready?!", "No excuses today!", "Game on!", "We're SO back!"],
        "close": ["You've got this!", "Tag someone who needs this!", "Keep pushing!!", "Who's in?!",
                  "See you at the top!"],
        "emoji": ["🔥", "💪", "⚡", "🚀", "🙌", "💥"],
        "bio": ["turning goals into habits", "motivation daily", "high vibes only", "go hard, be kind"],
        "es_open": ["¡VAMOS!", "¡¡Noticia!!", "¿Quién se apunta?", "¡Hoy sin excusas!", "¡A tope!"],
        "es_close": ["¡Tú puedes!", "¡Etiqueta a quien lo necesite!", "¡Sigue empujando!", "¿Quién se viene?",
                     "¡Nos vemos arriba!"],
        "es_bio": ["convirtiendo metas en hábitos", "motivación diaria", "buena energía siempre"],
        "n_emoji": (1, 4),
    },
}

LIFESTYLE = {
    "en": ["Weekend dump, mostly food and sunsets.", "Life update: moved flats, still unpacking.",
           "Taking a little social media break next week.", "Q&A in the comments, ask me anything.",
           "Photo dump from a very good week.", "Birthday week! Another lap around the sun."],
    "es": ["Resumen del finde: comida y atardeceres.", "Actualización: me mudé y sigo entre cajas.",
           "Preguntas y respuestas en comentarios, ¡preguntadme lo que queráis!",
           "Dump de fotos de una semana muy bonita.", "¡Semana de cumple! Una vuelta más al sol."],
}

SPONSOR_LINES = {
    "en": ["Been testing the {p} from {b} for three weeks now.",
           "{b} sent over their {p} and it's already in heavy rotation.",
           "Teamed up with {b} to put the {p} through a proper test.",
           "My {p} from {b} finally arrived and first impressions are strong.",
           "Swapped my old setup for the {b} {p}.",
           "Trying the {p} by {b} this month, honest thoughts below."],
    "es": ["Llevo tres semanas probando {p} de {b}.",
           "{b} me envió {p} y ya no me separo de ello.",
           "Me he unido a {b} para probar a fondo {p}.",
           "Por fin llegó {p} de {b}, primeras impresiones muy buenas.",
           "Este mes pruebo {p} de {b}, opinión sincera abajo."],
}
ORGANIC_LINES = {
    "en": ["Not sponsored, but my {b} {p} is still going strong after a year.",
           "(not an ad) I just really love my {p} from {b}.",
           "People keep asking: yes, it's the {b} {p}, and no, I paid for it myself."],
    "es": ["No es publi, pero {p} de {b} sigue como el primer día.",
           "(no es publicidad) me encanta {p} de {b}, lo pagué yo."],
}
# disclosure styles: (key, weight); the text is built in disclose()
DISCLOSURE_EN = [("hash_ad", 22), ("hash_sponsored", 12), ("ad_prefix", 6), ("paid", 14), ("code", 16),
                 ("gift", 10), ("collab", 8), ("partner", 4), ("none", 8)]
DISCLOSURE_ES = [("publicidad", 26), ("publi", 10), ("colab_tag", 10), ("hash_ad", 8), ("paid", 12),
                 ("code", 16), ("gift", 10), ("none", 8)]

FIRST_EN = ["Maya", "Leo", "Priya", "Sam", "Jordan", "Ava", "Noah", "Chloe", "Marcus", "Hana", "Tom", "Ellie",
            "Jas", "Nina", "Kofi", "Ruby", "Ollie", "Zara", "Ben", "Ivy", "Dev", "Amara", "Finn", "Grace", "Theo",
            "Mei", "Luca", "Aisha", "Cal", "Rosie", "Jake", "Tess", "Omar", "Lily", "Ethan", "Kai", "Freya",
            "Ravi", "Sophie", "Dan", "Bea", "Max", "Nora", "Eli", "June", "Alex", "Harper", "Reece", "Imogen",
            "Sasha", "Wren", "Tariq", "Poppy", "Miles", "Esme", "Jonah", "Anika", "Rory", "Keira", "Nat"]
LAST_EN = ["Carter", "Nguyen", "Patel", "Walsh", "Okafor", "Kim", "Murphy", "Brooks", "Hughes", "Singh",
           "Bennett", "Lowe", "Kowalski", "Fraser", "Chen", "Doyle", "Price", "Adeyemi", "Hart", "Lindqvist",
           "Shaw", "Park", "Quinn", "Ellis", "Byrne", "Tanaka", "Cole", "Reid", "Shah", "Mensah", "Ford", "Holt"]
FIRST_ES = ["Lucía", "Mateo", "Valentina", "Santiago", "Camila", "Diego", "Sofía", "Martín", "Paula", "Javier",
            "Carla", "Andrés", "Daniela", "Pablo", "Marta", "Alejandro", "Julieta", "Nicolás", "Elena", "Tomás",
            "Renata", "Gonzalo", "Irene", "Sebastián", "Ana", "Hugo", "Mariana", "Álvaro", "Jimena", "Iker"]
LAST_ES = ["García", "Martínez", "López", "Fernández", "Rodríguez", "Gómez", "Díaz", "Herrera", "Castro",
           "Romero", "Vargas", "Ortiz", "Navarro", "Molina", "Rojas", "Ruiz", "Suárez", "Morales", "Pérez", "Torres"]

COUNTRIES_EN = {"US": 42, "GB": 16, "CA": 9, "AU": 8, "IE": 3, "NZ": 2, "IN": 6, "ZA": 3, "SG": 2, "DE": 3,
                "NL": 3, "PH": 3}
COUNTRIES_ES = {"ES": 40, "MX": 30, "AR": 15, "CO": 15}
CITIES = {
    "US": ["Denver", "Portland", "Austin", "Brooklyn", "Seattle", "Chicago", "LA", "Atlanta", "Boulder", "Nashville"],
    "GB": ["London", "Manchester", "Leeds", "Bristol", "Edinburgh", "Glasgow", "Brighton"],
    "CA": ["Toronto", "Vancouver", "Montreal", "Calgary"], "AU": ["Sydney", "Melbourne", "Brisbane", "Perth"],
    "IE": ["Dublin", "Cork", "Galway"], "NZ": ["Auckland", "Wellington"], "IN": ["Bangalore", "Mumbai", "Delhi"],
    "ZA": ["Cape Town", "Joburg"], "SG": ["Singapore"], "DE": ["Berlin", "Munich"], "NL": ["Amsterdam", "Utrecht"],
    "PH": ["Manila", "Cebu"], "ES": ["Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Granada"],
    "MX": ["CDMX", "Guadalajara", "Monterrey", "Puebla"], "AR": ["Buenos Aires", "Córdoba", "Rosario", "Mendoza"],
    "CO": ["Bogotá", "Medellín", "Cali"],
}
FLAGS = {"US": "🇺🇸", "GB": "🇬🇧", "CA": "🇨🇦", "AU": "🇦🇺", "IE": "🇮🇪", "NZ": "🇳🇿", "IN": "🇮🇳", "ZA": "🇿🇦",
         "SG": "🇸🇬", "DE": "🇩🇪", "NL": "🇳🇱", "PH": "🇵🇭", "ES": "🇪🇸", "MX": "🇲🇽", "AR": "🇦🇷", "CO": "🇨🇴"}
AUDIENCE_NEIGHBOURS_EN = {"US": 30, "GB": 18, "CA": 12, "AU": 10, "IN": 8, "DE": 6, "IE": 4, "NL": 4, "PH": 4,
                          "BR": 3, "FR": 3, "MX": 3}
AUDIENCE_NEIGHBOURS_ES = {"ES": 20, "MX": 20, "AR": 12, "CO": 12, "US": 14, "CL": 8, "PE": 7, "VE": 4, "EC": 3}
CONTACT = {
    "en": ["📩 collabs via DM", "business inquiries: link in bio", "links below ⬇️", "new videos every Friday",
           "👇 my favourite things", "she/her", "he/him", "they/them"],
    "es": ["📩 colaboraciones por DM", "contacto en el link", "👇 mis favoritos", "vídeos nuevos cada viernes"],
}

# =============================================================================================
# Briefs (what is written) and their ground-truth targets (what the generator scores against)
# =============================================================================================

BRIEFS = [
    {
        "brief_id": "b01", "brand": "Salomon",
        "description": (
            "Salomon is launching the Skyrace GTX, a trail shoe built for long, technical mountain days. "
            "We want runners who actually log dirt miles (ultras, skyraces, muddy weekday loops) and whose "
            "followers trust their gear advice enough to buy. Success is measured in sales through personal "
            "discount codes."),
        "category": "Trail running footwear", "tone": ["authentic", "expert"], "goal": "conversion",
        "tiers": ["micro"], "budget": 30000, "currency": "USD",
        "competitors": ["HOKA ONE ONE", "Altra Running", "@lasportiva"], "exclusivity_days": 90,
        "platforms": ["instagram", "youtube", "tiktok"], "k": 20,
    },
    {
        "brief_id": "b02", "brand": "La Mer",
        "description": (
            "La Mer is relaunching its signature moisturising cream in a refillable jar and wants the launch "
            "seen everywhere. We are looking for polished, elevated creators with large audiences who already "
            "talk about skincare rituals: texture, layering, the calm of an evening routine. This is an "
            "awareness campaign; reach and brand fit matter more than clicks."),
        "category": "Luxury skincare", "tone": "luxury",
        "audience": {"age": {"25-34": 0.4, "35-44": 0.4, "45-54": 0.2},
                     "gender": {"female": 0.85, "male": 0.13, "other": 0.02}},
        "goal": "awareness", "tiers": ["mega", "macro"], "budget": 450000, "currency": "USD",
        "competitors": ["Augustinus Bader", "Drunk Elephant"], "exclusivity_days": 120,
        "platforms": ["instagram", "youtube", "tiktok"], "k": 15,
    },
    {
        "brief_id": "b03", "brand": "Myprotein",
        "description": (
            "Myprotein lanza en España y Latinoamérica su nueva proteína vegetal Clear Vegan. Buscamos "
            "creadores de fitness que hablen en español, que entrenen de verdad (fuerza, hipertrofia, crossfit) "
            "y que contagien energía a su comunidad. Queremos visibilidad y también ventas con códigos de "
            "descuento personales."),
        "category": "Nutrición deportiva", "tone": "energético y motivador",
        "audience": {"age": {"18-24": 0.5, "25-34": 0.5}},
        "goal": "hybrid", "budget": 40000, "currency": "USD",
        "competitors": ["Prozis", "HSN Store"], "exclusivity_days": 90,
        "languages": ["es"], "countries": ["ES", "MX", "AR", "CO"], "k": 20,
    },
    {
        "brief_id": "b04", "brand": "Revolut",
        "description": (
            "Revolut wants to grow its savings and budgeting features among young professionals. Partners "
            "should explain money clearly (budgeting, savings pots, spending abroad, investing basics) without "
            "hype or get-rich-quick promises. We care about reach and about sign-ups through tracked links."),
        "category": "Fintech / banking app", "tone": "expert, clear and trustworthy",
        "audience": {"age": {"25-34": 1.0}},
        "goal": "hybrid", "tiers": ["micro", "macro"], "budget": 80000, "currency": "USD",
        "competitors": ["Wise", "N26", "@monzo"], "exclusivity_days": 90, "k": 20,
    },
    {
        "brief_id": "b05", "brand": "Stumptown Coffee Roasters",
        "description": (
            "Stumptown is introducing a winter blend for brewing at home. We want warm, unhurried creators: "
            "slow mornings, pour-over rituals, a mug by the window on a rainy day. Cosy rather than loud, and "
            "real home brewers rather than lifestyle accounts that happen to hold a cup."),
        "category": "Specialty coffee", "tone": ["calm", "cozy"],
        "audience": {"age": {"25-34": 0.5, "35-44": 0.5}},
        "goal": "awareness", "tiers": ["nano", "micro", "macro"], "budget": 25000, "currency": "USD",
        "competitors": ["Blue Bottle", "@nespresso"], "countries": ["US", "CA"], "k": 20,
    },
    {
        "brief_id": "b06", "brand": "Devolver Digital",
        "description": (
            "Devolver Digital is launching Goose Protocol, a chaotic co-op roguelike where a flock of geese "
            "heists a research lab. We want streamers and video creators who play indie games on camera and "
            "make people laugh; the sillier the better. Goal: as many people as possible wishlisting the game "
            "on launch week."),
        "category": "Video games", "tone": "funny",
        "audience": {"age": {"18-24": 0.6, "25-34": 0.4}},
        "goal": "awareness", "budget": 60000, "currency": "USD",
        "competitors": ["Annapurna Interactive", "Raw Fury"],
        "platforms": ["twitch", "youtube", "tiktok", "x"], "k": 20,
    },
    {
        "brief_id": "b07", "brand": "Open Farm",
        "description": (
            "Open Farm is introducing a budget-friendly kibble line and has a small budget, so we are looking "
            "for nano and micro creators whose feeds are full of their own dogs and cats and whose followers "
            "ask them for recommendations. Warm and a bit playful. Sales are tracked through discount codes."),
        "category": "Pet food", "tone": ["warm", "playful"],
        "goal": "conversion", "tiers": ["nano", "micro"], "budget": 8000, "currency": "USD",
        "competitors": ["Purina", "Hill's Science Diet", "ollie"], "exclusivity_days": 60,
        "countries": ["US", "CA"], "k": 25,
    },
    {
        "brief_id": "b08", "brand": "Anker",
        "description": (
            "Anker is launching a 3-in-1 magnetic charging station and a slim 20,000 mAh power bank. We want "
            "tech reviewers who do honest, hands-on testing (battery tests, desk setups, travel kits) for an "
            "audience in the US and the UK. Both reach and clicks to the store matter."),
        "category": "Consumer electronics", "tone": "expert",
        "goal": "hybrid", "tiers": ["micro", "macro"], "budget": 70000, "currency": "USD",
        "competitors": ["Belkin", "UGREEN"], "platforms": ["youtube", "instagram", "tiktok", "x"],
        "languages": ["en"], "countries": ["US", "GB"], "k": 20,
    },
]
#: ground truth per brief: niche weights, tone weights (creator tone -> fit) and canonical competitors
TARGETS = {
    "b01": {"niches": {"trail_running": 1.0}, "tones": {"raw": 1.0, "expert": 1.0, "energetic": 0.4, "calm": 0.3},
            "competitors": ["Hoka", "Altra", "La Sportiva"]},
    "b02": {"niches": {"skincare": 1.0}, "tones": {"luxury": 1.0, "calm": 0.4, "expert": 0.4},
            "competitors": ["Augustinus Bader", "Drunk Elephant"]},
    "b03": {"niches": {"fitness": 1.0, "trail_running": 0.5, "yoga_wellness": 0.5},
            "tones": {"energetic": 1.0, "playful": 0.4, "raw": 0.4, "expert": 0.3},
            "competitors": ["Prozis", "HSN"]},
    "b04": {"niches": {"personal_finance": 1.0}, "tones": {"expert": 1.0, "calm": 0.4, "raw": 0.3},
            "competitors": ["Wise", "N26", "Monzo"]},
    "b05": {"niches": {"coffee": 1.0}, "tones": {"calm": 1.0, "luxury": 0.4, "raw": 0.3},
            "competitors": ["Blue Bottle Coffee", "Nespresso"]},
    "b06": {"niches": {"indie_gaming": 1.0}, "tones": {"playful": 1.0, "energetic": 0.5, "raw": 0.4},
            "competitors": ["Annapurna Interactive", "Raw Fury"]},
    "b07": {"niches": {"pets": 1.0}, "tones": {"playful": 1.0, "calm": 0.6, "raw": 0.5},
            "competitors": ["Purina", "Hill's", "Ollie"]},
    "b08": {"niches": {"tech_reviews": 1.0}, "tones": {"expert": 1.0, "raw": 0.3, "playful": 0.3},
            "competitors": ["Belkin", "UGREEN"]},
}

# =============================================================================================
# Helpers
# =============================================================================================


def wchoice(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def ascii_fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def cap_first(s: str) -> str:
    for i, c in enumerate(s):
        if c.isalpha():
            return s[:i] + c.upper() + s[i + 1:]
    return s


def low_first(s: str) -> str:
    for i, c in enumerate(s):
        if c.isalpha():
            # keep acronyms / proper-looking all-caps words
            word = s[i:].split(" ", 1)[0]
            if word.isupper() and len(word) > 1:
                return s
            return s[:i] + c.lower() + s[i + 1:]
    return s


def fill(rng: random.Random, template: str, fills: dict) -> str:
    out = template
    for key, values in fills.items():
        token = "{" + key + "}"
        while token in out:
            out = out.replace(token, rng.choice(values), 1)
    return cap_first(out)


def typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if w.isalpha() and w.islower() and len(w) >= 5]
    if not idx:
        return text
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def distribution(rng: random.Random, base: dict, concentration: float, ndigits: int = 3) -> dict:
    """Noisy draw around ``base`` (Dirichlet via gammas), rounded, summing to exactly 1."""
    keys = list(base)
    total = sum(base.values())
    draws = [rng.gammavariate(max(base[k] / total * concentration, 1e-3), 1.0) for k in keys]
    s = sum(draws)
    shares = [round(d / s, ndigits) for d in draws]
    rest = round(1.0 - sum(shares[:-1]), ndigits)
    if rest >= 0:
        shares[-1] = rest
    else:  # the last share cannot absorb the rounding: fix the largest instead
        shares[-1] = 0.0
        big = max(range(len(shares) - 1), key=lambda i: shares[i])
        shares[big] = round(1.0 - sum(shares[i] for i in range(len(shares)) if i != big), ndigits)
    return dict(zip(keys, shares, strict=True))


def nice_price(x: float) -> float:
    if x < 100:
        step = 5
    elif x < 1000:
        step = 25
    elif x < 10000:
        step = 100
    else:
        step = 500
    return float(max(step, round(x / step) * step))


def compact(name: str) -> str:
    return "".join(c for c in ascii_fold(name).lower() if c.isalnum())


# =============================================================================================
# Creators
# =============================================================================================


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.handles: set[str] = set()

    # -- identity ------------------------------------------------------------------------------
    def handle(self, first: str, last: str, word: str, platform: str) -> str:
        rng = self.rng
        f, la, w = compact(first), compact(last), compact(word)
        patterns = [f"{f}{w}", f"{w}with{f}", f"{f}_{la}", f"the{w}{f}", f"{f}{la}", f"{w}_{f}",
                    f"{f}.{w}" if platform == "instagram" else f"{f}_{w}", f"{f}{w}{rng.randint(1, 99)}",
                    f"{f}{la[:1]}{w}", f"{f}and{w}"]
        h = rng.choice(patterns)
        if platform in ("youtube", "twitch") and rng.random() < 0.3:
            h = "".join(p[:1].upper() + p[1:] for p in h.replace(".", "_").split("_"))
        base = h
        while h.lower() in self.handles:
            h = f"{base}{rng.randint(2, 999)}"
        self.handles.add(h.lower())
        return h

    def followers(self) -> int:
        rng = self.rng
        while True:
            x = rng.gauss(4.05, 0.92)  # log10 followers: log-normal catalogue
            if math.log10(TIER_BOUNDS["emerging"][0]) <= x <= math.log10(TIER_BOUNDS["mega"][1]):
                return int(round(10 ** x))

    # -- audience ------------------------------------------------------------------------------
    def audience(self, niche: str, platform: str, country: str, lang: str, female_bias: float) -> dict:
        rng = self.rng
        n = NICHES[niche]
        age = list(n["age"])
        shift = {"tiktok": [1.8, 1.4, 1.0, 0.8, 0.6, 0.5, 0.4], "youtube": [0.9, 1.0, 1.0, 1.1, 1.2, 1.2, 1.2],
                 "x": [0.4, 0.8, 1.1, 1.3, 1.2, 1.1, 1.0], "twitch": [1.3, 1.3, 1.0, 0.7, 0.4, 0.3, 0.2]}
        if platform in shift:
            age = [a * s for a, s in zip(age, shift[platform], strict=True)]
        age_d = distribution(rng, dict(zip(AGE_BUCKETS, age, strict=True)), 90.0)
        f = min(0.97, max(0.03, n["gender_f"] + female_bias + rng.gauss(0, 0.06)))
        o = rng.uniform(0.005, 0.03)
        gender = distribution(rng, {"female": f * (1 - o), "male": (1 - f) * (1 - o), "other": o}, 300.0)
        # countries: the creator's home country first, then neighbours; shares over the listed countries
        pool = dict(AUDIENCE_NEIGHBOURS_ES if lang == "es" else AUDIENCE_NEIGHBOURS_EN)
        pool.pop(country, None)
        picks = []
        for _ in range(rng.randint(2, 4)):
            c = wchoice(rng, pool)
            pool.pop(c)
            picks.append(c)
        home = rng.uniform(0.5, 0.8) if country == "US" else rng.uniform(0.3, 0.65)
        base = {country: home}
        rest = 1 - home
        weights = [rng.uniform(0.3, 1.0) for _ in picks]
        for c, w in zip(picks, sorted(weights, reverse=True), strict=True):
            base[c] = rest * w / sum(weights)
        countries = distribution(rng, base, 400.0)
        countries = {k: v for k, v in countries.items() if v > 0}
        return {"age": age_d, "gender": gender, "countries": countries}

    # -- text ----------------------------------------------------------------------------------
    def bio(self, niche: str, second: str | None, tone: str, lang: str, country: str) -> str:
        rng = self.rng
        pool = NICHES[niche]["es"]["bio"] if lang == "es" else NICHES[niche]["bio"]
        parts = rng.sample(pool, 2 if rng.random() < 0.45 else 1)
        if second and rng.random() < 0.4:
            spool = NICHES[second]["es"]["bio"] if lang == "es" else NICHES[second]["bio"]
            parts.append(rng.choice(spool))
        tw = TONE_WORDS[tone]
        if rng.random() < 0.45:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(tw["es_bio" if lang == "es" else "bio"]))
        r = rng.random()
        if r < 0.25:
            parts.append(f"📍 {rng.choice(CITIES[country])}")
        elif r < 0.45:
            parts.append(FLAGS[country])
        elif r < 0.55:
            parts.append(("desde " if lang == "es" else "based in ") + rng.choice(CITIES[country]))
        if rng.random() < 0.35:
            parts.append(rng.choice(CONTACT[lang]))
        if tone in ("energetic", "playful") and rng.random() < 0.5:
            parts.insert(0, rng.choice(tw["emoji"]))
        sep = rng.choice([" | ", " • ", "\n", ". ", " ~ ", " · "])
        text = sep.join(parts)
        if tone in ("raw", "playful") and rng.random() < 0.5:
            text = text.lower()
        return text

    def styled(self, body: list[str], tone: str, lang: str, platform: str, opener_ok: bool = True) -> str:
        """Assemble the sentences of a post in the creator's voice (opener, closer, emoji, casing)."""
        rng = self.rng
        tw = TONE_WORDS[tone]
        pre = "es_" if lang == "es" else ""
        parts = list(body)
        opener = None
        if platform == "youtube" and rng.random() < 0.35:
            opener = rng.choice(["Nuevo vídeo:", "¡Vídeo nuevo!"] if lang == "es" else ["New video:", "NEW VIDEO -", "Just uploaded:"])
        elif platform == "twitch" and rng.random() < 0.45:
            opener = rng.choice(["¡En directo!", "Directo a las 20h:"] if lang == "es" else ["Live now!", "Stream at 8pm:", "Going live:"])
        elif opener_ok and rng.random() < 0.55:
            opener = rng.choice(tw[pre + "open"])
        if opener:
            if opener[-1].isalpha() or opener[-1] == ",":
                parts[0] = low_first(parts[0])
            parts.insert(0, opener)
        if rng.random() < 0.45:
            parts.append(rng.choice(tw[pre + "close"]))
        text = " ".join(parts)
        lo, hi = tw["n_emoji"]
        if tone == "raw" and rng.random() < 0.2:
            hi = 1
            lo = 1
        n_emoji = rng.randint(lo, hi)
        if n_emoji:
            em = "".join(rng.choice(tw["emoji"]) for _ in range(n_emoji))
            if rng.random() < 0.5:
                text = f"{text} {em}"
            else:  # emoji after the first sentence
                i = next((j for j in range(len(text) - 1) if text[j:j + 2] == ". " and text[max(0, j - 2):j] != "vs"), -1)
                text = f"{text[:i + 1]} {em}{text[i + 1:]}" if i > 0 else f"{text} {em}"
        if tone == "playful" and rng.random() < 0.4:
            text = text.lower()
        elif tone == "raw" and rng.random() < 0.45:
            text = text.lower().replace("¡", "").replace("!", ".")
        elif tone == "energetic" and rng.random() < 0.35:
            text = text.replace("!", "!!")
            if lang == "en":
                text = text.replace(". ", "! ", 1)
        elif tone == "calm" and rng.random() < 0.3:
            text = text.rstrip(".") + "…"
        elif tone == "luxury" and rng.random() < 0.3:
            text = text.replace(", ", " — ", 1)
        if rng.random() < 0.02:
            text = typo(rng, text)
        return text

    def hashtags(self, niche: str, lang: str, platform: str, suspicious: bool) -> list[str]:
        rng = self.rng
        n = NICHES[niche]
        pool = n["es"]["tags"] if lang == "es" else n["tags"]
        k = {"instagram": rng.randint(1, 5), "tiktok": rng.randint(1, 3), "youtube": rng.randint(0, 2),
             "twitch": rng.randint(0, 1), "x": rng.randint(0, 2)}[platform]
        tags = rng.sample(pool, min(k, len(pool)))
        if platform == "tiktok" and rng.random() < 0.6:
            tags.append("#parati" if lang == "es" and rng.random() < 0.6 else "#fyp")
        if suspicious and rng.random() < 0.4:
            tags += ["#follow4follow", "#likeforlike"] if rng.random() < 0.5 else ["#instagood", "#f4f"]
        return tags

    def mention(self, brand: tuple, style: str) -> str:
        """How a post names a brand: any spelling, the @handle, or a compact hashtag."""
        rng = self.rng
        handle, spellings = brand[1], brand[2]
        if style == "handle":
            return "@" + handle
        r = rng.random()
        if r < 0.35:
            return "@" + handle
        if r < 0.45:
            return "#" + compact(rng.choice(spellings))
        return rng.choice(spellings)

    def disclose(self, style: str, brand: tuple, lang: str, code_name: str) -> tuple[str, str, list[str]]:
        """(prefix, sentence, tags) that disclose the partnership in the given style."""
        rng = self.rng
        h = "@" + brand[1]
        pct = rng.choice([10, 15, 20, 25])
        code = f"{code_name.upper()}{pct}"
        if style == "hash_ad":
            return "", "", ["#ad"]
        if style == "hash_sponsored":
            return "", "", ["#sponsored"]
        if style == "ad_prefix":
            return rng.choice(["AD | ", "[AD] ", "Ad: "]), "", []
        if style == "partner":
            return "", "", ["#partner"]
        if style == "publicidad":
            return "", "", ["#publicidad"]
        if style == "publi":
            return rng.choice(["PUBLI | ", "Publi: "]), "", []
        if style == "colab_tag":
            return "", "", [rng.choice(["#colaboración", "#colaboracion"])]
        if lang == "es":
            if style == "paid":
                return "", f"Colaboración pagada con {h}.", []
            if style == "code":
                return "", rng.choice([f"Usa el código {code} en {h} y tendrás un {pct}% de descuento.",
                                       f"Código {code} para un {pct}% en {h}."]), []
            if style == "gift":
                return "", rng.choice([f"Gracias a {h} por el envío.", f"Regalo de {h}, ¡gracias!"]), []
        else:
            if style == "paid":
                return "", rng.choice([f"Paid partnership with {h}.", f"Paid partnership with {brand[0]}."]), []
            if style == "code":
                return "", rng.choice([f"Use code {code} at {h} for {pct}% off.",
                                       f"Code {code} gets you {pct}% off at {brand[0]}.",
                                       f"use code {code} at {h}"]), []
            if style == "gift":
                return "", rng.choice([f"Thanks {h} for sending!", f"Gifted by {h}.", f"thanks {h} for sending these"]), []
            if style == "collab":
                return "", f"In collaboration with {h}.", []
        return "", "", []

    # -- one creator ---------------------------------------------------------------------------
    def creator(self, idx: int) -> tuple[dict, dict]:
        rng = self.rng
        lang = "es" if rng.random() < SPANISH_SHARE else "en"
        niche = wchoice(rng, ES_NICHE_WEIGHTS if lang == "es" else EN_NICHE_WEIGHTS)
        n = NICHES[niche]
        second = None
        if rng.random() < 0.22:
            options = [k for k in (ES_NICHES if lang == "es" else NICHE_KEYS) if k != niche]
            second = rng.choice(options)
        country = wchoice(rng, COUNTRIES_ES if lang == "es" else COUNTRIES_EN)
        platform = rng.choices(PLATFORMS, weights=n["platforms"], k=1)[0]
        tone = rng.choices(TONES, weights=n["tones"], k=1)[0]
        first = rng.choice(FIRST_ES if lang == "es" else FIRST_EN)
        last = rng.choice(LAST_ES if lang == "es" else LAST_EN)
        words = n["es"]["words"] if lang == "es" else n["words"]
        handle = self.handle(first, last, rng.choice(words), platform)

        followers = self.followers()
        tier = tier_of(followers)
        suspicious = rng.random() < SUSPICIOUS_SHARE
        er_target = TIER_NORM[tier] * rng.lognormvariate(0, 0.3)
        if suspicious:
            er_target *= rng.uniform(0.06, 0.22)
        # true price, log-scaled with the position inside the tier
        lo, hi = TIER_BOUNDS[tier]
        pos = (math.log(followers) - math.log(lo)) / (math.log(hi) - math.log(lo))
        pos = min(1.0, max(0.0, pos * 0.8 + rng.uniform(0, 0.2)))
        plo, phi = TIER_PRICE[tier]
        price = nice_price(math.exp(math.log(plo) + pos * (math.log(phi) - math.log(plo))))
        female_bias = 0.0
        if tone == "luxury":
            female_bias = 0.05
        aud = self.audience(niche, platform, country, lang, female_bias)

        posts, deals = self.posts(niche, second, tone, lang, platform, followers, er_target, suspicious, tier,
                                  first)
        # ---- what the catalogue shows (partial, like a real one) ----
        rec: dict = {"creator_id": f"s{idx:05d}", "handle": handle, "platform": platform}
        if rng.random() < 0.97:
            rec["bio"] = self.bio(niche, second, tone, lang, country)
        if posts is not None:
            rec["posts"] = posts
        rec["followers"] = followers
        if posts:
            ers = [(p.get("likes", 0) + p.get("comments", 0)) / followers for p in posts]
            rec["engagement_rate"] = round(sum(ers) / len(ers), 4)
        elif rng.random() < 0.8:
            rec["engagement_rate"] = round(er_target, 4)
        if rng.random() < 0.92:
            rec["language"] = lang
        if rng.random() < 0.88:
            rec["country"] = country
        if rng.random() < 0.5:
            cats_pool = n.get("cats_es", n["cats"]) if lang == "es" and rng.random() < 0.5 else n["cats"]
            cats = rng.sample(cats_pool, min(len(cats_pool), rng.randint(1, 2)))
            if second and rng.random() < 0.4:
                cats.append(NICHES[second]["cats"][0])
            rec["categories"] = list(dict.fromkeys(cats))
        p_aud = {"emerging": 0.3, "nano": 0.52, "micro": 0.72, "macro": 0.85, "mega": 0.92}[tier]
        if rng.random() < p_aud:
            shown = {}
            for part, p in (("age", 0.95), ("gender", 0.97), ("countries", 0.85)):
                if rng.random() < p:
                    shown[part] = aud[part]
            if shown:
                rec["audience"] = shown
        p_price = {"emerging": 0.25, "nano": 0.45, "micro": 0.6, "macro": 0.7, "mega": 0.75}[tier]
        if rng.random() < p_price:
            rec["price_per_post"] = price
            if rng.random() < 0.8:
                rec["currency"] = "USD"
        truth = {"id": rec["creator_id"], "niche": niche, "second": second, "tone": tone, "lang": lang,
                 "country": country, "platform": platform, "followers": followers, "tier": tier,
                 "suspicious": suspicious, "price": price, "audience": aud, "deals": deals,
                 "last_post": posts[0]["posted_at"][:10] if posts else None}
        return rec, truth

    def posts(self, niche, second, tone, lang, platform, followers, er, suspicious, tier, first):
        rng = self.rng
        r = rng.random()
        if r < 0.01:
            return None, []
        count = rng.randint(1, 3) if r < 0.04 else rng.choices([4, 5, 6], weights=[30, 40, 30], k=1)[0]
        # dates, newest first
        if rng.random() < 0.05:  # gone quiet
            newest = TODAY - timedelta(days=rng.randint(100, 300))
        else:
            newest = TODAY - timedelta(days=min(90, int(rng.expovariate(1 / 8))))
        gap_scale = {"energetic": 0.6, "playful": 0.8}.get(tone, 1.0) * (1.4 if tier in ("nano", "emerging") else 1.0)
        dates = [newest]
        for _ in range(count - 1):
            d = dates[-1] - timedelta(days=max(1, int(rng.uniform(1, 28) * gap_scale)))
            if d < OLDEST:
                break
            dates.append(d)
        with_time = rng.random() < 0.3
        p_sponsor = {"emerging": 0.04, "nano": 0.1, "micro": 0.17, "macro": 0.22, "mega": 0.26}[tier]
        p_sponsor *= rng.uniform(0.3, 1.7) * (1.5 if suspicious else 1.0)
        sec_slot = rng.randrange(len(dates)) if second else -1
        n = NICHES[niche]
        out, deals = [], []
        last_brand = None
        for i, d in enumerate(dates):
            topic_niche = second if i == sec_slot else niche
            tn = NICHES[topic_niche]
            src = tn["es"] if lang == "es" else tn
            lifestyle = rng.random() < 0.1
            if lifestyle:
                body = [rng.choice(LIFESTYLE[lang])]
            else:
                k = 2 if rng.random() < 0.55 else 1
                body = [fill(rng, t, src["fills"]) for t in rng.sample(src["topics"], k)]
            sponsored = rng.random() < p_sponsor
            prefix, tags_extra, brands_field = "", [], None
            if sponsored:
                rb = rng.random()
                if last_brand and rng.random() < 0.35:
                    brand = last_brand
                elif rb < 0.72:
                    brand = rng.choice(n["brands"])
                elif rb < 0.82 and second:
                    brand = rng.choice(NICHES[second]["brands"])
                else:
                    brand = rng.choice(CROSS_BRANDS)
                if lang == "es" and len(brand) == 5 and isinstance(brand[3], list) and not brand[4]:
                    brand = rng.choice(CROSS_BRANDS)  # no Spanish product names for this niche's brands
                last_brand = brand
                style = wchoice(rng, dict(DISCLOSURE_ES if lang == "es" else DISCLOSURE_EN))
                b = self.mention(brand, "any")
                if isinstance(brand[3], str):  # cross-niche sponsor with its own line
                    line = brand[4] if lang == "es" else brand[3]
                    sline = line.replace("{b}", b)
                else:
                    prods = brand[4] if lang == "es" else brand[3]
                    sline = rng.choice(SPONSOR_LINES[lang]).replace("{p}", rng.choice(prods)).replace("{b}", b)
                body.insert(rng.randint(0, len(body)), sline)
                prefix, dline, tags_extra = self.disclose(style, brand, lang, compact(first))
                if dline:
                    body.append(dline)
                deals.append({"brand": brand[0], "date": d.isoformat()})
                if rng.random() < 0.5:
                    brands_field = [rng.choice(["@" + brand[1], brand[0], rng.choice(brand[2])])]
            elif rng.random() < 0.025 and lang in ("en", "es"):
                brand = rng.choice(n["brands"])
                prods = brand[4] if lang == "es" else brand[3]
                if prods:
                    b = self.mention(brand, "any")
                    line = rng.choice(ORGANIC_LINES[lang]).replace("{p}", rng.choice(prods)).replace("{b}", b)
                    body.append(line)
            text = self.styled(body, tone, lang, platform, opener_ok=not lifestyle)
            tags = self.hashtags(topic_niche, lang, platform, suspicious)
            if tags_extra:
                tags = tags_extra + tags if rng.random() < 0.5 else tags + tags_extra
            if tags:
                text += ("\n\n" if rng.random() < 0.5 else " ") + " ".join(tags)
            text = prefix + text
            post: dict = {"text": text}
            if with_time or rng.random() < 0.08:
                post["posted_at"] = f"{d.isoformat()}T{rng.randint(6, 22):02d}:{rng.choice([0, 15, 30, 45]):02d}:00Z"
            else:
                post["posted_at"] = d.isoformat()
            # sponsored flag: true / false / null / missing, imperfectly filled like real exports
            r = rng.random()
            if sponsored:
                if r < 0.55:
                    post["sponsored"] = True
                elif r < 0.7:
                    post["sponsored"] = None
                elif r < 0.8:
                    post["sponsored"] = False
            else:
                if r < 0.45:
                    post["sponsored"] = False
                elif r < 0.55:
                    post["sponsored"] = None
            if brands_field:
                post["brands"] = brands_field
            eng = followers * er * rng.lognormvariate(0, 0.3) * (0.75 if sponsored else 1.0)
            cshare = rng.uniform(0.002, 0.01) if suspicious else (
                rng.uniform(0.04, 0.1) if platform in ("youtube", "twitch", "x") else rng.uniform(0.015, 0.06))
            total = max(0, int(round(eng)))
            comments = int(round(total * cshare))
            post["likes"] = total - comments
            post["comments"] = comments
            views = None
            if platform == "tiktok":
                views = followers * rng.lognormvariate(0.1, 0.7)
            elif platform == "youtube":
                views = followers * rng.uniform(0.05, 0.6)
            elif platform == "twitch":
                views = followers * rng.uniform(0.02, 0.15)
            elif platform == "x" and rng.random() < 0.7:
                views = followers * rng.uniform(0.3, 2.5)
            elif platform == "instagram" and rng.random() < 0.5:
                views = followers * rng.uniform(0.2, 1.5)
            if views is not None:
                post["views"] = max(int(views), int(total * rng.uniform(1.5, 4)))
            out.append(post)
        return out, deals


# =============================================================================================
# Ground truth relevance
# =============================================================================================


def overlap(a: dict, b: dict) -> float:
    return sum(min(a.get(k, 0.0), v) for k, v in b.items())


def relevance(brief: dict, t: dict, rng: random.Random) -> int:
    tgt = TARGETS[brief["brief_id"]]
    w = tgt["niches"].get(t["niche"], 0.0)
    primary = w >= 1.0
    if not primary and t["second"]:
        w = max(w, 0.5 * tgt["niches"].get(t["second"], 0.0))
    if w < 0.5:
        return 0
    # hard rules
    if "languages" in brief and t["lang"] not in brief["languages"]:
        return 0
    if "platforms" in brief and t["platform"] not in brief["platforms"]:
        return 0
    if "budget" in brief and t["price"] > brief["budget"]:
        return 0
    window = brief.get("exclusivity_days", 90)
    old_conflict = False
    for deal in t["deals"]:
        if deal["brand"] in tgt["competitors"]:
            age = (TODAY - date.fromisoformat(deal["date"])).days
            if age <= window:
                return 0  # a current competitor deal: cannot be booked
            old_conflict = True
    cap = 3 if primary else 1
    # tier
    tiers = brief.get("tiers")
    ti = TIER_ORDER.index(t["tier"])
    if tiers:
        if t["tier"] in tiers:
            tier_fit = 1.0
        elif min(abs(ti - TIER_ORDER.index(x)) for x in tiers) == 1:
            tier_fit, cap = 0.2, min(cap, 1)
        else:
            return 0
    else:
        tier_fit = {"awareness": [0.2, 0.4, 0.65, 0.9, 1.0], "conversion": [0.5, 0.9, 1.0, 0.7, 0.4],
                    "hybrid": [0.3, 0.7, 1.0, 1.0, 0.6]}[brief.get("goal", "hybrid")][ti]
    # audience
    aud = t["audience"]
    fits = []
    ba = brief.get("audience", {})
    if "age" in ba:
        fits.append(min(1.0, max(0.0, (overlap(aud["age"], ba["age"]) - 0.2) / 0.4)))
    if "gender" in ba:
        fits.append(min(1.0, max(0.0, (overlap(aud["gender"], ba["gender"]) - 0.5) / 0.4)))
    if "countries" in brief:
        share = sum(aud["countries"].get(c, 0.0) for c in brief["countries"])
        if t["country"] in brief["countries"]:
            share = max(share, 0.5)
        if share < 0.15:
            return 0
        if share < 0.35:
            cap = min(cap, 1)
        fits.append(min(1.0, share / 0.5))
    aud_fit = sum(fits) / len(fits) if fits else 0.6
    tone_fit = tgt["tones"].get(t["tone"], 0.0)
    score = 1.0 + 0.9 * aud_fit + 0.8 * tier_fit + 0.9 * tone_fit
    if t["suspicious"]:
        score -= 1.2
    if "budget" in brief and t["price"] > brief["budget"] / 3:
        score -= 0.5
    if old_conflict:
        score -= 0.3
    if t["last_post"] is None or (TODAY - date.fromisoformat(t["last_post"])).days > 120:
        score -= 0.5
    score += rng.uniform(-0.15, 0.15)  # labellers disagree a little
    rel = 3 if score >= 2.95 else 2 if score >= 2.2 else 1 if score >= 0.9 else 0
    return min(rel, cap)


# =============================================================================================
# Main
# =============================================================================================


def dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "datasets" / "sample"), help="output directory")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--creators", type=int, default=N_CREATORS)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    gen = Gen(args.seed)
    creators, truths = [], []
    for i in range(1, args.creators + 1):
        rec, truth = gen.creator(i)
        creators.append(rec)
        truths.append(truth)

    label_rng = random.Random(args.seed * 1000 + 1)
    rows = []
    stats = {}
    for brief in BRIEFS:
        bid = brief["brief_id"]
        tgt = TARGETS[bid]
        rels = {t["id"]: relevance(brief, t, label_rng) for t in truths}
        positives = sorted(cid for cid, r in rels.items() if r > 0)
        near = sorted(t["id"] for t in truths if rels[t["id"]] == 0
                      and (t["niche"] in tgt["niches"] or t["second"] in tgt["niches"]))
        far = sorted(t["id"] for t in truths if rels[t["id"]] == 0
                     and not (t["niche"] in tgt["niches"] or t["second"] in tgt["niches"]))
        hard = label_rng.sample(near, min(len(near), ZEROS_PER_BRIEF // 2))
        easy = label_rng.sample(far, ZEROS_PER_BRIEF - len(hard))
        chosen = sorted(positives + hard + easy)
        rows += [(bid, cid, rels[cid]) for cid in chosen]
        stats[bid] = {r: sum(1 for cid in chosen if rels[cid] == r) for r in (3, 2, 1, 0)}

    def write(name: str, text: str) -> None:
        tmp = out / (name + ".tmp")
        tmp.write_bytes(text.encode("utf-8"))
        tmp.replace(out / name)

    write("creators.jsonl", "".join(dumps(c) + "\n" for c in creators))
    write("briefs.jsonl", "".join(dumps(b) + "\n" for b in BRIEFS))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["brief_id", "creator_id", "relevance"])
    w.writerows(rows)
    write("labels.csv", buf.getvalue())
    # each creator's true niche (and secondary niche): what the wrong-niche check counts against
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["creator_id", "niche", "second"])
    w.writerows([t["id"], t["niche"], t["second"] or ""] for t in truths)
    write("niches.csv", buf.getvalue())

    # summary on stdout (JSON), for the data card
    by = lambda key: dict(sorted(_count(truths, key).items()))  # noqa: E731
    summary = {"creators": len(creators), "briefs": len(BRIEFS), "labels": len(rows), "niche": by("niche"),
               "tier": {k: _count(truths, "tier").get(k, 0) for k in TIER_ORDER}, "language": by("lang"),
               "platform": by("platform"), "tone": by("tone"),
               "suspicious": sum(t["suspicious"] for t in truths), "labels_per_brief": stats}
    print(json.dumps(summary, indent=1))
    return 0


def _count(truths: list[dict], key: str) -> dict:
    c: dict = {}
    for t in truths:
        c[t[key]] = c.get(t[key], 0) + 1
    return c


if __name__ == "__main__":
    sys.exit(main())
