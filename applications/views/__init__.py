"""申报 pages. Each module is one part of the applicant's and officials' work; all ask applications.permissions."""
