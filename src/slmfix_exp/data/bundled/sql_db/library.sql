BEGIN TRANSACTION;
CREATE TABLE authors (
  author_id INTEGER PRIMARY KEY,
  name TEXT,
  country TEXT,
  birth_year INTEGER
);
CREATE TABLE books (
  book_id INTEGER PRIMARY KEY,
  title TEXT,
  author_id INTEGER REFERENCES authors(author_id),
  genre TEXT,
  pages INTEGER,
  published_year INTEGER,
  price REAL
);
CREATE TABLE members (
  member_id INTEGER PRIMARY KEY,
  name TEXT,
  city TEXT,
  membership TEXT,
  join_year INTEGER
);
CREATE TABLE loans (
  loan_id INTEGER PRIMARY KEY,
  book_id INTEGER REFERENCES books(book_id),
  member_id INTEGER REFERENCES members(member_id),
  loan_year INTEGER,
  days INTEGER
);
INSERT INTO authors VALUES (1, 'Tara Jensen', 'Nigeria', 1924);
INSERT INTO authors VALUES (2, 'Wen Jensen', 'France', 1923);
INSERT INTO authors VALUES (3, 'Maya Lopez', 'Nigeria', 1972);
INSERT INTO authors VALUES (4, 'Jonas Muller', 'Japan', 1954);
INSERT INTO authors VALUES (5, 'Elif Kim', 'Nigeria', 1970);
INSERT INTO authors VALUES (6, 'Ximena Larsen', 'Nigeria', 1922);
INSERT INTO authors VALUES (7, 'Jonas Romero', 'Japan', 1926);
INSERT INTO authors VALUES (8, 'Quinn Kowalski', 'USA', 1951);
INSERT INTO authors VALUES (9, 'Elif Ivanova', 'France', 1967);
INSERT INTO authors VALUES (10, 'Elif Haddad', 'Brazil', 1965);
INSERT INTO authors VALUES (11, 'Chen Muller', 'Japan', 1989);
INSERT INTO authors VALUES (12, 'Olga Rossi', 'UK', 1983);
INSERT INTO authors VALUES (13, 'Hugo Okafor', 'Japan', 1989);
INSERT INTO authors VALUES (14, 'Grace Jensen', 'Brazil', 1962);
INSERT INTO authors VALUES (15, 'Wen Kowalski', 'Brazil', 1946);
INSERT INTO authors VALUES (16, 'Chen Tanaka', 'Japan', 1992);
INSERT INTO authors VALUES (17, 'Tara Fischer', 'France', 1944);
INSERT INTO authors VALUES (18, 'Farid Moreau', 'Germany', 1955);
INSERT INTO authors VALUES (19, 'Elif Dubois', 'Brazil', 1943);
INSERT INTO authors VALUES (20, 'Liam Rossi', 'Canada', 1969);
INSERT INTO authors VALUES (21, 'Victor Garcia', 'Germany', 1969);
INSERT INTO authors VALUES (22, 'Bruno Walsh', 'UK', 1939);
INSERT INTO authors VALUES (23, 'Ines Silva', 'Germany', 1986);
INSERT INTO authors VALUES (24, 'Ximena Ivanova', 'Brazil', 1973);
INSERT INTO authors VALUES (25, 'Wen Moreau', 'USA', 1992);
INSERT INTO books VALUES (1, 'The Northern Tower', 3, 'Romance', 806, 2019, 22.95);
INSERT INTO books VALUES (2, 'The Golden Island', 8, 'Romance', 571, 2016, 55.57);
INSERT INTO books VALUES (3, 'The Golden Mirror', 9, 'Science Fiction', 335, 1983, 33.64);
INSERT INTO books VALUES (4, 'The Gentle Compass', 10, 'History', 648, 1959, 31.9);
INSERT INTO books VALUES (5, 'The Northern Shadow', 2, 'Mystery', 381, 2001, 59.85);
INSERT INTO books VALUES (6, 'The Quiet Storm', 20, 'Fantasy', 850, 1954, 6.49);
INSERT INTO books VALUES (7, 'The Hollow Signal', 6, 'Fantasy', 895, 1973, 55.81);
INSERT INTO books VALUES (8, 'The Secret Signal', 2, 'Science Fiction', 244, 1999, 13.44);
INSERT INTO books VALUES (9, 'The Midnight Canyon', 5, 'Fantasy', 477, 1959, 56.76);
INSERT INTO books VALUES (10, 'The Distant Echo', 15, 'Mystery', 146, 1952, 51.25);
INSERT INTO books VALUES (11, 'The Lucky Tower', 14, 'Fantasy', 877, 2017, 21.17);
INSERT INTO books VALUES (12, 'The Broken Lantern', 12, 'Science Fiction', 596, 1965, 12.1);
INSERT INTO books VALUES (13, 'The Silent Island', 2, 'Mystery', 633, 1950, 31.3);
INSERT INTO books VALUES (14, 'The Crimson Voyage', 17, 'Mystery', 508, 2015, 41.41);
INSERT INTO books VALUES (15, 'The Frozen Garden', 13, 'Romance', 338, 1971, 50.47);
INSERT INTO books VALUES (16, 'The Northern Meadow', 18, 'Fantasy', 295, 2002, 47.84);
INSERT INTO books VALUES (17, 'The Broken Compass', 19, 'Romance', 460, 1990, 46.47);
INSERT INTO books VALUES (18, 'The Golden Bridge', 3, 'Romance', 214, 2016, 20.11);
INSERT INTO books VALUES (19, 'The Hollow Ember', 9, 'Mystery', 488, 2000, 50.71);
INSERT INTO books VALUES (20, 'The Broken Echo', 17, 'Romance', 707, 2021, 46.61);
INSERT INTO books VALUES (21, 'The Hidden Tower', 4, 'Romance', 371, 1969, 58.47);
INSERT INTO books VALUES (22, 'The Secret Orchard', 14, 'Science Fiction', 116, 2005, 29.66);
INSERT INTO books VALUES (23, 'The Frozen Ember', 14, 'Mystery', 220, 1950, 38.93);
INSERT INTO books VALUES (24, 'The Quiet Island', 14, 'Mystery', 789, 1979, 9.64);
INSERT INTO books VALUES (25, 'The Secret Mirror', 5, 'History', 770, 1981, 45.86);
INSERT INTO books VALUES (26, 'The Wild Ember', 12, 'Science Fiction', 418, 1974, 44.76);
INSERT INTO books VALUES (27, 'The Midnight Tower', 6, 'History', 215, 2009, 37.36);
INSERT INTO books VALUES (28, 'The Silver Garden', 11, 'Mystery', 460, 2004, 24.85);
INSERT INTO books VALUES (29, 'The Lucky Shadow', 14, 'History', 696, 1951, 9.34);
INSERT INTO books VALUES (30, 'The Broken Harbor', 16, 'Fantasy', 236, 1995, 33.82);
INSERT INTO books VALUES (31, 'The Silent Bridge', 9, 'History', 579, 1994, 50.4);
INSERT INTO books VALUES (32, 'The Scarlet Harbor', 16, 'Mystery', 286, 2004, 59.81);
INSERT INTO books VALUES (33, 'The Quiet Canyon', 3, 'Mystery', 527, 1952, 45.34);
INSERT INTO books VALUES (34, 'The Quiet Garden', 6, 'Fantasy', 108, 1999, 49.97);
INSERT INTO books VALUES (35, 'The Northern Harbor', 12, 'Fantasy', 124, 1964, 23.48);
INSERT INTO books VALUES (36, 'The Gentle Garden', 10, 'Mystery', 253, 1976, 33.25);
INSERT INTO books VALUES (37, 'The Wild Bridge', 5, 'Science Fiction', 481, 1982, 59.56);
INSERT INTO books VALUES (38, 'The Rapid Bridge', 20, 'Mystery', 508, 2000, 9.84);
INSERT INTO books VALUES (39, 'The Golden Ember', 16, 'Mystery', 395, 1969, 20.15);
INSERT INTO books VALUES (40, 'The Electric Echo', 6, 'Mystery', 771, 2010, 23.16);
INSERT INTO members VALUES (1, 'Nils Ivanova', 'Oslo', 'premium', 2010);
INSERT INTO members VALUES (2, 'Alice Berg', 'Berlin', 'student', 2023);
INSERT INTO members VALUES (3, 'Ximena Jensen', 'Rome', 'premium', 2018);
INSERT INTO members VALUES (4, 'Boris Muller', 'Oslo', 'student', 2020);
INSERT INTO members VALUES (5, 'Clara Jensen', 'Vienna', 'basic', 2017);
INSERT INTO members VALUES (6, 'Yusuf Kim', 'Oslo', 'basic', 2020);
INSERT INTO members VALUES (7, 'Clara Tanaka', 'Berlin', 'student', 2024);
INSERT INTO members VALUES (8, 'Aiko Novak', 'Lisbon', 'student', 2016);
INSERT INTO members VALUES (9, 'Rosa Jensen', 'Lisbon', 'premium', 2015);
INSERT INTO members VALUES (10, 'Elif Muller', 'London', 'basic', 2017);
INSERT INTO members VALUES (11, 'Uma Kim', 'Vienna', 'premium', 2019);
INSERT INTO members VALUES (12, 'Alice Walsh', 'Berlin', 'premium', 2021);
INSERT INTO members VALUES (13, 'Clara Larsen', 'Berlin', 'basic', 2018);
INSERT INTO members VALUES (14, 'Rosa Haddad', 'Rome', 'student', 2011);
INSERT INTO members VALUES (15, 'Zoe Romero', 'Madrid', 'student', 2021);
INSERT INTO members VALUES (16, 'Grace Haddad', 'Paris', 'basic', 2016);
INSERT INTO members VALUES (17, 'Aiko Tanaka', 'Rome', 'student', 2018);
INSERT INTO members VALUES (18, 'Jonas Kowalski', 'Paris', 'basic', 2023);
INSERT INTO members VALUES (19, 'Farid Costa', 'Vienna', 'basic', 2010);
INSERT INTO members VALUES (20, 'Uma Rossi', 'Lisbon', 'premium', 2019);
INSERT INTO members VALUES (21, 'Maya Fischer', 'Lisbon', 'basic', 2020);
INSERT INTO members VALUES (22, 'Jonas Larsen', 'Paris', 'premium', 2022);
INSERT INTO members VALUES (23, 'Sami Dubois', 'Madrid', 'student', 2024);
INSERT INTO members VALUES (24, 'Liam Nakamura', 'Lisbon', 'premium', 2010);
INSERT INTO members VALUES (25, 'Rosa Silva', 'Rome', 'basic', 2010);
INSERT INTO members VALUES (26, 'Rosa Walsh', 'Vienna', 'basic', 2018);
INSERT INTO members VALUES (27, 'Nils Walsh', 'Vienna', 'premium', 2011);
INSERT INTO members VALUES (28, 'Olga Larsen', 'Madrid', 'basic', 2015);
INSERT INTO members VALUES (29, 'Olga Moreau', 'Lisbon', 'student', 2010);
INSERT INTO members VALUES (30, 'Sami Tanaka', 'Oslo', 'premium', 2017);
INSERT INTO loans VALUES (1, 3, 18, 2018, 43);
INSERT INTO loans VALUES (2, 18, 6, 2022, 3);
INSERT INTO loans VALUES (3, 21, 16, 2024, 17);
INSERT INTO loans VALUES (4, 8, 15, 2018, 35);
INSERT INTO loans VALUES (5, 31, 6, 2023, 40);
INSERT INTO loans VALUES (6, 16, 7, 2022, 7);
INSERT INTO loans VALUES (7, 27, 3, 2024, 13);
INSERT INTO loans VALUES (8, 27, 6, 2022, 15);
INSERT INTO loans VALUES (9, 18, 20, 2019, 48);
INSERT INTO loans VALUES (10, 27, 19, 2018, 22);
INSERT INTO loans VALUES (11, 9, 8, 2022, 6);
INSERT INTO loans VALUES (12, 12, 17, 2018, 59);
INSERT INTO loans VALUES (13, 28, 2, 2019, 52);
INSERT INTO loans VALUES (14, 30, 22, 2023, 13);
INSERT INTO loans VALUES (15, 18, 24, 2022, 41);
INSERT INTO loans VALUES (16, 18, 11, 2020, 31);
INSERT INTO loans VALUES (17, 1, 24, 2021, 32);
INSERT INTO loans VALUES (18, 1, 2, 2020, 38);
INSERT INTO loans VALUES (19, 8, 12, 2021, 36);
INSERT INTO loans VALUES (20, 26, 7, 2022, 14);
INSERT INTO loans VALUES (21, 11, 20, 2019, 32);
INSERT INTO loans VALUES (22, 22, 22, 2023, 18);
INSERT INTO loans VALUES (23, 9, 23, 2019, 45);
INSERT INTO loans VALUES (24, 17, 2, 2019, 47);
INSERT INTO loans VALUES (25, 7, 11, 2018, 15);
INSERT INTO loans VALUES (26, 28, 6, 2020, 3);
INSERT INTO loans VALUES (27, 5, 16, 2019, 21);
INSERT INTO loans VALUES (28, 4, 3, 2022, 37);
INSERT INTO loans VALUES (29, 23, 18, 2024, 57);
INSERT INTO loans VALUES (30, 13, 3, 2024, 41);
INSERT INTO loans VALUES (31, 23, 6, 2021, 21);
INSERT INTO loans VALUES (32, 8, 1, 2018, 50);
INSERT INTO loans VALUES (33, 11, 5, 2019, 8);
INSERT INTO loans VALUES (34, 11, 4, 2023, 47);
INSERT INTO loans VALUES (35, 24, 4, 2022, 52);
INSERT INTO loans VALUES (36, 5, 13, 2024, 54);
INSERT INTO loans VALUES (37, 28, 22, 2023, 28);
INSERT INTO loans VALUES (38, 5, 18, 2022, 48);
INSERT INTO loans VALUES (39, 13, 19, 2020, 23);
INSERT INTO loans VALUES (40, 17, 4, 2018, 10);
INSERT INTO loans VALUES (41, 14, 15, 2024, 6);
INSERT INTO loans VALUES (42, 3, 1, 2022, 7);
INSERT INTO loans VALUES (43, 15, 21, 2020, 48);
INSERT INTO loans VALUES (44, 4, 3, 2023, 45);
INSERT INTO loans VALUES (45, 32, 18, 2019, 49);
INSERT INTO loans VALUES (46, 22, 8, 2022, 35);
INSERT INTO loans VALUES (47, 3, 22, 2022, 52);
INSERT INTO loans VALUES (48, 2, 2, 2019, 44);
INSERT INTO loans VALUES (49, 14, 11, 2018, 40);
INSERT INTO loans VALUES (50, 21, 12, 2019, 31);
INSERT INTO loans VALUES (51, 1, 22, 2018, 18);
INSERT INTO loans VALUES (52, 32, 14, 2019, 6);
INSERT INTO loans VALUES (53, 4, 17, 2023, 18);
INSERT INTO loans VALUES (54, 7, 20, 2022, 4);
INSERT INTO loans VALUES (55, 5, 5, 2019, 39);
INSERT INTO loans VALUES (56, 29, 1, 2021, 58);
INSERT INTO loans VALUES (57, 26, 18, 2022, 12);
INSERT INTO loans VALUES (58, 23, 7, 2018, 19);
INSERT INTO loans VALUES (59, 14, 11, 2018, 12);
INSERT INTO loans VALUES (60, 31, 3, 2018, 38);
INSERT INTO loans VALUES (61, 11, 22, 2018, 15);
INSERT INTO loans VALUES (62, 31, 23, 2023, 8);
INSERT INTO loans VALUES (63, 11, 3, 2023, 59);
INSERT INTO loans VALUES (64, 28, 3, 2023, 16);
INSERT INTO loans VALUES (65, 17, 13, 2023, 34);
INSERT INTO loans VALUES (66, 28, 4, 2020, 18);
INSERT INTO loans VALUES (67, 24, 14, 2022, 38);
INSERT INTO loans VALUES (68, 16, 7, 2024, 35);
INSERT INTO loans VALUES (69, 19, 24, 2022, 49);
INSERT INTO loans VALUES (70, 28, 5, 2019, 23);
INSERT INTO loans VALUES (71, 12, 2, 2022, 12);
INSERT INTO loans VALUES (72, 11, 16, 2019, 35);
INSERT INTO loans VALUES (73, 18, 13, 2019, 60);
INSERT INTO loans VALUES (74, 10, 21, 2019, 60);
INSERT INTO loans VALUES (75, 23, 1, 2021, 30);
INSERT INTO loans VALUES (76, 2, 8, 2022, 21);
INSERT INTO loans VALUES (77, 3, 6, 2024, 36);
INSERT INTO loans VALUES (78, 13, 23, 2022, 31);
INSERT INTO loans VALUES (79, 26, 15, 2021, 12);
INSERT INTO loans VALUES (80, 5, 7, 2024, 2);
COMMIT;
