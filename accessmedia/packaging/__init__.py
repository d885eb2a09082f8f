"""Packages for publishing: HLS with subtitle renditions, the upload bundle, chapters, burned-in captions, the replay
page and the event site."""

from accessmedia.packaging.eventsite import write_index
from accessmedia.packaging.package import PackageResult
from accessmedia.packaging.replay import write_site
from accessmedia.packaging.settings import Chapter, Packaging

__all__ = ["PackageResult", "write_site", "write_index", "Chapter", "Packaging"]
