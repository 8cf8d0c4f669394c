"""名单 pages, one module per part of the work; each asks registry.permissions, none checks a role itself.

``public`` is what anyone may read (the front page, the lists, a unit's page); ``publicity`` the 公示 notices and
their objections; ``lists`` publishing lists and the national recommendation; ``imports`` loading published
lists; ``rereviews`` 三年一复核 and the yearly 动态管理表; ``cultivation`` the 培育库; ``progress`` the targets.
"""
