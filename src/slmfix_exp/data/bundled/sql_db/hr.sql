BEGIN TRANSACTION;
CREATE TABLE departments (
  department_id INTEGER PRIMARY KEY,
  name TEXT,
  location TEXT,
  budget INTEGER
);
CREATE TABLE employees (
  employee_id INTEGER PRIMARY KEY,
  name TEXT,
  department_id INTEGER REFERENCES departments(department_id),
  job_title TEXT,
  salary INTEGER,
  hire_year INTEGER,
  age INTEGER
);
CREATE TABLE projects (
  project_id INTEGER PRIMARY KEY,
  name TEXT,
  department_id INTEGER REFERENCES departments(department_id),
  status TEXT,
  budget INTEGER,
  start_year INTEGER
);
CREATE TABLE assignments (
  assignment_id INTEGER PRIMARY KEY,
  employee_id INTEGER REFERENCES employees(employee_id),
  project_id INTEGER REFERENCES projects(project_id),
  role TEXT,
  hours INTEGER
);
INSERT INTO departments VALUES (1, 'Support', 'Boston', 1012793);
INSERT INTO departments VALUES (2, 'Procurement', 'Boston', 1578998);
INSERT INTO departments VALUES (3, 'Finance', 'Boston', 1552786);
INSERT INTO departments VALUES (4, 'Operations', 'Boston', 494267);
INSERT INTO departments VALUES (5, 'Research', 'Chicago', 1575233);
INSERT INTO departments VALUES (6, 'Sales', 'Chicago', 416664);
INSERT INTO departments VALUES (7, 'Marketing', 'Austin', 255116);
INSERT INTO departments VALUES (8, 'Legal', 'Austin', 1122843);
INSERT INTO departments VALUES (9, 'Training', 'Chicago', 1760705);
INSERT INTO departments VALUES (10, 'Security', 'Austin', 393425);
INSERT INTO departments VALUES (11, 'Engineering', 'New York', 634998);
INSERT INTO departments VALUES (12, 'Logistics', 'Boston', 1371267);
INSERT INTO employees VALUES (1, 'Maya Moreau', 9, 'Clerk', 175696, 2009, 59);
INSERT INTO employees VALUES (2, 'Quinn Tanaka', 3, 'Engineer', 143489, 2008, 51);
INSERT INTO employees VALUES (3, 'Tara Romero', 3, 'Designer', 86961, 2015, 48);
INSERT INTO employees VALUES (4, 'Maya Walsh', 4, 'Designer', 113529, 2020, 53);
INSERT INTO employees VALUES (5, 'Yusuf Garcia', 6, 'Clerk', 108770, 2000, 44);
INSERT INTO employees VALUES (6, 'Alice Walsh', 10, 'Clerk', 82829, 2021, 29);
INSERT INTO employees VALUES (7, 'Rosa Larsen', 3, 'Engineer', 48199, 2010, 61);
INSERT INTO employees VALUES (8, 'Zoe Berg', 7, 'Engineer', 121886, 2003, 29);
INSERT INTO employees VALUES (9, 'Tara Jensen', 5, 'Designer', 64295, 2016, 35);
INSERT INTO employees VALUES (10, 'Hugo Muller', 6, 'Clerk', 84372, 2001, 28);
INSERT INTO employees VALUES (11, 'Nils Garcia', 3, 'Analyst', 50030, 2023, 53);
INSERT INTO employees VALUES (12, 'Alice Ivanova', 5, 'Clerk', 164848, 2012, 29);
INSERT INTO employees VALUES (13, 'Quinn Moreau', 2, 'Engineer', 114151, 2017, 47);
INSERT INTO employees VALUES (14, 'Liam Novak', 9, 'Designer', 46862, 2004, 46);
INSERT INTO employees VALUES (15, 'Nils Smith', 8, 'Clerk', 143374, 2001, 54);
INSERT INTO employees VALUES (16, 'Alice Rossi', 7, 'Designer', 43966, 2016, 62);
INSERT INTO employees VALUES (17, 'Chen Moreau', 1, 'Engineer', 104513, 2008, 24);
INSERT INTO employees VALUES (18, 'Pablo Novak', 3, 'Manager', 123959, 2006, 52);
INSERT INTO employees VALUES (19, 'Victor Silva', 9, 'Clerk', 39697, 2002, 53);
INSERT INTO employees VALUES (20, 'Grace Kowalski', 1, 'Clerk', 80911, 2010, 25);
INSERT INTO employees VALUES (21, 'Diego Muller', 10, 'Clerk', 130247, 2021, 55);
INSERT INTO employees VALUES (22, 'Maya Larsen', 6, 'Clerk', 44088, 2003, 43);
INSERT INTO employees VALUES (23, 'Aiko Costa', 7, 'Clerk', 120139, 2012, 53);
INSERT INTO employees VALUES (24, 'Farid Haddad', 2, 'Analyst', 110222, 2006, 36);
INSERT INTO employees VALUES (25, 'Ines Jensen', 1, 'Analyst', 162939, 2001, 54);
INSERT INTO employees VALUES (26, 'Chen Rossi', 6, 'Designer', 136519, 2015, 24);
INSERT INTO employees VALUES (27, 'Clara Dubois', 3, 'Manager', 131026, 2022, 62);
INSERT INTO employees VALUES (28, 'Hugo Kim', 7, 'Analyst', 117466, 2022, 36);
INSERT INTO employees VALUES (29, 'Ines Kim', 8, 'Analyst', 73470, 2015, 57);
INSERT INTO employees VALUES (30, 'Chen Garcia', 3, 'Analyst', 118083, 2023, 34);
INSERT INTO employees VALUES (31, 'Sami Haddad', 3, 'Designer', 96480, 2008, 63);
INSERT INTO employees VALUES (32, 'Yusuf Jensen', 10, 'Analyst', 131158, 2000, 51);
INSERT INTO employees VALUES (33, 'Sami Romero', 2, 'Analyst', 130024, 2003, 49);
INSERT INTO employees VALUES (34, 'Quinn Novak', 9, 'Manager', 162619, 2011, 24);
INSERT INTO employees VALUES (35, 'Zoe Fischer', 1, 'Clerk', 44381, 2012, 23);
INSERT INTO employees VALUES (36, 'Clara Tanaka', 2, 'Manager', 79383, 2005, 25);
INSERT INTO employees VALUES (37, 'Bruno Fischer', 4, 'Engineer', 131147, 2006, 51);
INSERT INTO employees VALUES (38, 'Tara Kowalski', 4, 'Engineer', 178799, 2023, 37);
INSERT INTO employees VALUES (39, 'Bruno Petrov', 3, 'Clerk', 126091, 2003, 23);
INSERT INTO employees VALUES (40, 'Dana Dubois', 3, 'Analyst', 141570, 2017, 35);
INSERT INTO employees VALUES (41, 'Victor Costa', 4, 'Clerk', 116864, 2024, 22);
INSERT INTO employees VALUES (42, 'Farid Ivanova', 2, 'Engineer', 50006, 2006, 32);
INSERT INTO employees VALUES (43, 'Boris Tanaka', 7, 'Designer', 152240, 2018, 31);
INSERT INTO employees VALUES (44, 'Sami Kim', 7, 'Clerk', 56063, 2024, 56);
INSERT INTO employees VALUES (45, 'Ximena Tanaka', 3, 'Analyst', 88219, 2004, 48);
INSERT INTO projects VALUES (1, 'Project Shadow', 5, 'active', 481347, 2022);
INSERT INTO projects VALUES (2, 'Project Voyage', 1, 'completed', 302901, 2017);
INSERT INTO projects VALUES (3, 'Project Meadow', 1, 'active', 876478, 2023);
INSERT INTO projects VALUES (4, 'Project Falcon', 10, 'completed', 506855, 2018);
INSERT INTO projects VALUES (5, 'Project Bridge', 8, 'completed', 568035, 2022);
INSERT INTO projects VALUES (6, 'Project Compass', 2, 'completed', 81335, 2023);
INSERT INTO projects VALUES (7, 'Project Harbor', 7, 'active', 431831, 2023);
INSERT INTO projects VALUES (8, 'Project Lantern', 10, 'active', 659864, 2024);
INSERT INTO projects VALUES (9, 'Project Tower', 3, 'completed', 252461, 2021);
INSERT INTO projects VALUES (10, 'Project Island', 3, 'active', 608177, 2016);
INSERT INTO projects VALUES (11, 'Project Echo', 5, 'completed', 527163, 2018);
INSERT INTO projects VALUES (12, 'Project Canyon', 7, 'active', 710912, 2022);
INSERT INTO projects VALUES (13, 'Project Forest', 10, 'active', 855945, 2015);
INSERT INTO projects VALUES (14, 'Project Garden', 4, 'on hold', 115832, 2015);
INSERT INTO projects VALUES (15, 'Project Orchard', 3, 'active', 32573, 2019);
INSERT INTO projects VALUES (16, 'Project Ember', 8, 'completed', 897069, 2020);
INSERT INTO projects VALUES (17, 'Project Mirror', 7, 'completed', 431115, 2024);
INSERT INTO projects VALUES (18, 'Project Storm', 9, 'completed', 372905, 2016);
INSERT INTO projects VALUES (19, 'Project Signal', 5, 'completed', 853700, 2016);
INSERT INTO projects VALUES (20, 'Project River', 3, 'on hold', 296512, 2020);
INSERT INTO assignments VALUES (1, 13, 14, 'tester', 350);
INSERT INTO assignments VALUES (2, 5, 13, 'lead', 162);
INSERT INTO assignments VALUES (3, 33, 7, 'tester', 374);
INSERT INTO assignments VALUES (4, 19, 12, 'reviewer', 179);
INSERT INTO assignments VALUES (5, 22, 16, 'developer', 66);
INSERT INTO assignments VALUES (6, 11, 7, 'lead', 265);
INSERT INTO assignments VALUES (7, 24, 11, 'lead', 371);
INSERT INTO assignments VALUES (8, 28, 16, 'lead', 59);
INSERT INTO assignments VALUES (9, 1, 11, 'tester', 100);
INSERT INTO assignments VALUES (10, 1, 4, 'reviewer', 132);
INSERT INTO assignments VALUES (11, 20, 14, 'developer', 274);
INSERT INTO assignments VALUES (12, 36, 4, 'developer', 145);
INSERT INTO assignments VALUES (13, 25, 14, 'lead', 123);
INSERT INTO assignments VALUES (14, 13, 10, 'developer', 342);
INSERT INTO assignments VALUES (15, 1, 5, 'lead', 272);
INSERT INTO assignments VALUES (16, 21, 3, 'tester', 50);
INSERT INTO assignments VALUES (17, 25, 8, 'tester', 12);
INSERT INTO assignments VALUES (18, 16, 14, 'tester', 90);
INSERT INTO assignments VALUES (19, 31, 9, 'developer', 162);
INSERT INTO assignments VALUES (20, 15, 2, 'lead', 376);
INSERT INTO assignments VALUES (21, 31, 6, 'tester', 142);
INSERT INTO assignments VALUES (22, 29, 13, 'developer', 93);
INSERT INTO assignments VALUES (23, 26, 6, 'reviewer', 355);
INSERT INTO assignments VALUES (24, 3, 13, 'tester', 213);
INSERT INTO assignments VALUES (25, 26, 11, 'lead', 173);
INSERT INTO assignments VALUES (26, 25, 10, 'tester', 341);
INSERT INTO assignments VALUES (27, 6, 6, 'tester', 203);
INSERT INTO assignments VALUES (28, 4, 13, 'developer', 108);
INSERT INTO assignments VALUES (29, 7, 3, 'developer', 328);
INSERT INTO assignments VALUES (30, 34, 9, 'reviewer', 42);
INSERT INTO assignments VALUES (31, 7, 13, 'lead', 91);
INSERT INTO assignments VALUES (32, 4, 15, 'reviewer', 174);
INSERT INTO assignments VALUES (33, 31, 7, 'developer', 61);
INSERT INTO assignments VALUES (34, 18, 4, 'reviewer', 263);
INSERT INTO assignments VALUES (35, 35, 9, 'lead', 236);
INSERT INTO assignments VALUES (36, 3, 15, 'developer', 333);
INSERT INTO assignments VALUES (37, 29, 14, 'tester', 170);
INSERT INTO assignments VALUES (38, 10, 3, 'reviewer', 62);
INSERT INTO assignments VALUES (39, 1, 4, 'tester', 256);
INSERT INTO assignments VALUES (40, 3, 8, 'developer', 397);
INSERT INTO assignments VALUES (41, 27, 16, 'reviewer', 332);
INSERT INTO assignments VALUES (42, 7, 5, 'tester', 119);
INSERT INTO assignments VALUES (43, 18, 3, 'developer', 377);
INSERT INTO assignments VALUES (44, 15, 9, 'developer', 342);
INSERT INTO assignments VALUES (45, 27, 6, 'tester', 23);
INSERT INTO assignments VALUES (46, 20, 13, 'lead', 366);
INSERT INTO assignments VALUES (47, 15, 15, 'reviewer', 152);
INSERT INTO assignments VALUES (48, 15, 2, 'lead', 46);
INSERT INTO assignments VALUES (49, 28, 10, 'reviewer', 386);
INSERT INTO assignments VALUES (50, 10, 14, 'lead', 206);
INSERT INTO assignments VALUES (51, 33, 16, 'lead', 81);
INSERT INTO assignments VALUES (52, 33, 1, 'tester', 184);
INSERT INTO assignments VALUES (53, 3, 7, 'developer', 188);
INSERT INTO assignments VALUES (54, 26, 10, 'lead', 8);
INSERT INTO assignments VALUES (55, 8, 15, 'reviewer', 324);
INSERT INTO assignments VALUES (56, 15, 9, 'lead', 169);
INSERT INTO assignments VALUES (57, 10, 14, 'reviewer', 98);
INSERT INTO assignments VALUES (58, 1, 10, 'developer', 29);
INSERT INTO assignments VALUES (59, 29, 6, 'reviewer', 211);
INSERT INTO assignments VALUES (60, 36, 11, 'tester', 56);
INSERT INTO assignments VALUES (61, 20, 3, 'developer', 370);
INSERT INTO assignments VALUES (62, 26, 5, 'developer', 396);
INSERT INTO assignments VALUES (63, 13, 12, 'tester', 159);
INSERT INTO assignments VALUES (64, 8, 3, 'tester', 37);
INSERT INTO assignments VALUES (65, 26, 15, 'developer', 85);
INSERT INTO assignments VALUES (66, 1, 11, 'lead', 41);
INSERT INTO assignments VALUES (67, 2, 12, 'tester', 322);
INSERT INTO assignments VALUES (68, 31, 16, 'developer', 78);
INSERT INTO assignments VALUES (69, 32, 2, 'tester', 379);
INSERT INTO assignments VALUES (70, 16, 4, 'reviewer', 398);
COMMIT;
